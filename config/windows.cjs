// The stage's window schedules, generated at package time from config/windows.<stage>.yaml: one EventBridge Scheduler
// schedule per pause and per resume (cron in the window's zone, or at() for a one-off window), each invoking the
// window function through WindowSchedulerRole, with a retry policy and the failures queue as its dead-letter queue.
// The file is validated first (lib/windows): a bad cron, zone, scope field or a duplicate name fails packaging with
// the window and the field named.
const { isAbsolute, join, relative } = require('node:path');
const tsx = require('tsx/cjs/api');

const ROOT = join(__dirname, '..');
// EventBridge Scheduler's own limit on a schedule's name.
const MAX_SCHEDULE_NAME = 64;

async function loadWindows(path) {
  const { loadWindowsFile } = tsx.require(join(ROOT, 'lib/windows/load.ts'), __filename);
  const absolute = isAbsolute(path) ? path : join(ROOT, path);
  const file = await loadWindowsFile(absolute).catch((error) => {
    const hint = error.name === 'NoWindowsFileError' ? ' — every stage needs one (copy config/windows.local.yaml)' : '';
    throw plain(`${error.message.replace(absolute, relative(ROOT, absolute))}${hint}`);
  });
  return file.windows;
}

/** An error osls prints as its message alone: the window and field are the whole story, a stack trace is noise. */
function plain(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** `weekday-business-hours` → `WeekdayBusinessHours` (CloudFormation logical ids are alphanumeric). */
function pascal(name) {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

function at(localDateTime) {
  return `at(${localDateTime.length === 16 ? `${localDateTime}:00` : localDateTime})`;
}

function schedule(service, stage, path, window, action) {
  const name = `${service}-${stage}-${window.name}-${action}`;
  if (name.length > MAX_SCHEDULE_NAME) {
    throw plain(
      `${path}: window "${window.name}": name: the schedule name ${name} is longer than ${MAX_SCHEDULE_NAME} characters; shorten the window's name`,
    );
  }
  const input = {
    window: window.name,
    action,
    scope: window.scope,
    reason: action === 'pause' ? window.reason : `window ${window.name} over (${window.reason})`,
    timezone: window.timezone,
    // The window function checks these for the fire's local date (only a pause is skipped on one).
    ...(window.except.length ? { except: window.except } : {}),
    scheduledTime: '<aws.scheduler.scheduled-time>',
    scheduleArn: '<aws.scheduler.schedule-arn>',
  };
  return {
    Type: 'AWS::Scheduler::Schedule',
    Properties: {
      Name: name,
      Description: `${action === 'pause' ? 'Pause' : 'Resume'} window ${window.name}`,
      GroupName: { Ref: 'WindowScheduleGroup' },
      ScheduleExpression: window.once ? at(window.once[action]) : window[action],
      ScheduleExpressionTimezone: window.timezone,
      State: window.enabled ? 'ENABLED' : 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': ['WindowLambdaFunction', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['WindowSchedulerRole', 'Arn'] },
        Input: JSON.stringify(input),
        // A fire the scheduler could not deliver (throttled, role, function missing) is retried for an hour, then
        // lands on the failures queue with the alarm; a fire Lambda received and failed is the function's own
        // on-failure destination's.
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['FailuresQueue', 'Arn'] } },
      },
    },
  };
}

/** The schedules of the windows in `path` (absolute, or relative to the project), as CloudFormation resources. */
async function resourcesFor(service, stage, path) {
  const resources = {};
  for (const window of await loadWindows(path)) {
    for (const action of ['pause', 'resume']) {
      const id = `Window${pascal(window.name)}${pascal(action)}Schedule`;
      if (resources[id]) {
        throw plain(
          `${path}: window "${window.name}": name: its schedules' logical id ${id} is another window's too; rename one`,
        );
      }
      resources[id] = schedule(service, stage, path, window, action);
    }
  }
  return resources;
}

module.exports = {
  resourcesFor,
  /** The stage's windows' schedules, as a fragment of serverless.yml `resources`. */
  resourcesFragment: async ({ resolveVariable }) => {
    const stage = await resolveVariable('sls:stage');
    const service = await resolveVariable('self:service');
    return { Resources: await resourcesFor(service, stage, `config/windows.${stage}.yaml`) };
  },
};
