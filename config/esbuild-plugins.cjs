// esbuild plugins for serverless-esbuild (`custom.esbuild.plugins`). CommonJS because the plugin loads it with require().
const { writeFile } = require('node:fs/promises');
const { join } = require('node:path');

/**
 * Lambda loads a `.js` handler as an ES module only when the nearest package.json says `"type": "module"`, and
 * serverless-esbuild never packs a package.json at the zip root. So each bundle gets one beside it
 * (`functions/package.json`). The bundles are `.js` rather than `.mjs` because `osls invoke local` only loads
 * `.js` and `.cjs` handlers.
 */
const esmPackageMarker = {
  name: 'esm-package-marker',
  setup(build) {
    build.onEnd(async (result) => {
      const outdir = build.initialOptions.outdir;
      if (result.errors.length > 0 || !outdir) return;
      await writeFile(join(outdir, 'package.json'), '{ "type": "module" }\n');
    });
  },
};

module.exports = [esmPackageMarker];
