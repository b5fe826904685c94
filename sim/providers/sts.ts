import { issueSessionCredentials } from '../aws-signature';
import { type Reply, stsError, xmlEscape } from '../replies';
import type { MatchedRoute, RouteContext } from './context';

/**
 * AWS STS AssumeRole over the query protocol (STS API reference): a form-encoded POST answered in XML. Only an
 * account's own role may be assumed, with its ExternalId when it has one, by its long-term keys; the credentials are
 * obviously fake (sim/aws-signature.ts) and work only against this simulator.
 */
const VERSION = '2011-06-15';
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export const stsRoute: MatchedRoute = { handle: assumeRole };

function assumeRole(context: RouteContext): Reply {
  const type = (context.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (type !== 'application/x-www-form-urlencoded')
    return stsError(400, 'InvalidParameterValue', 'Content-Type must be application/x-www-form-urlencoded');
  const form = new URLSearchParams(context.body);
  const action = form.get('Action');
  if (action !== 'AssumeRole')
    return stsError(400, 'InvalidAction', `Could not find operation ${action ?? '(none)'} for version ${VERSION}`);
  if (form.get('Version') !== VERSION) return stsError(400, 'InvalidParameterValue', `Version must be ${VERSION}`);
  const roleArn = form.get('RoleArn');
  const sessionName = form.get('RoleSessionName');
  const duration = Number(form.get('DurationSeconds') ?? '3600');
  if (roleArn === null || sessionName === null || !SESSION_NAME.test(sessionName))
    return stsError(400, 'ValidationError', 'RoleArn and a RoleSessionName of 2 to 64 characters [\\w+=,.@-] are required');
  if (!Number.isInteger(duration) || duration < 900 || duration > 43_200)
    return stsError(400, 'ValidationError', 'DurationSeconds must be between 900 and 43200');
  const { account } = context;
  const denied = () =>
    stsError(
      403,
      'AccessDenied',
      `User: arn:aws:iam::000000000000:user/${account.name} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  // The trust policy names the account's keys; its condition, when set, the ExternalId.
  if (account.roleArn !== roleArn) return denied();
  if (account.externalId !== undefined && form.get('ExternalId') !== account.externalId) return denied();
  const credentials = issueSessionCredentials(account, roleArn, context.now + duration * 1000);
  const roleName = roleArn.split('/').at(-1) ?? 'role';
  return {
    status: 200,
    contentType: 'text/xml',
    raw: [
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/${VERSION}/">`,
      '<AssumeRoleResult>',
      '<Credentials>',
      `<AccessKeyId>${credentials.accessKeyId}</AccessKeyId>`,
      `<SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>`,
      `<SessionToken>${xmlEscape(credentials.sessionToken)}</SessionToken>`,
      `<Expiration>${new Date(credentials.expiration).toISOString()}</Expiration>`,
      '</Credentials>',
      '<AssumedRoleUser>',
      `<AssumedRoleId>AROAFAKE0000000000000:${xmlEscape(sessionName)}</AssumedRoleId>`,
      `<Arn>arn:aws:sts::000000000000:assumed-role/${xmlEscape(roleName)}/${xmlEscape(sessionName)}</Arn>`,
      '</AssumedRoleUser>',
      '</AssumeRoleResult>',
      '<ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ResponseMetadata>',
      '</AssumeRoleResponse>',
    ].join(''),
  };
}
