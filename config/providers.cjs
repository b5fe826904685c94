// The per-provider parts of serverless.yml, generated from config/providers.json (which `npm run providers`
// writes from the provider manifests in lib/providers, and a test keeps in step with them): each provider's work
// queue, its DLQ and the DLQ's alarm, its event source on the worker (with its own concurrency cap), and the lists
// that name every work queue. Adding a provider adds all of them; nothing here names a provider.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { providers } = require('./providers.json');

const queue = (p) => `WorkQueue${p.logical}`;
const dlq = (p) => `WorkQueue${p.logical}Dlq`;
const concurrency = (p) => `\${param:concurrency${p.logical}, 2}`;

module.exports = {
  /** The work queues, their DLQs and one alarm per DLQ. */
  resources: () =>
    Object.fromEntries(
      providers.flatMap((p) => [
        [
          queue(p),
          {
            Type: 'AWS::SQS::Queue',
            Properties: {
              QueueName: `\${self:custom.queuePrefix}-work-${p.key}`,
              SqsManagedSseEnabled: true,
              VisibilityTimeout: 1800,
              RedrivePolicy: {
                deadLetterTargetArn: { 'Fn::GetAtt': [dlq(p), 'Arn'] },
                // biome-ignore lint/suspicious/noTemplateCurlyInString: a serverless variable, resolved by osls
                maxReceiveCount: '${param:maxReceiveCount}',
              },
            },
          },
        ],
        [
          dlq(p),
          {
            Type: 'AWS::SQS::Queue',
            Properties: {
              QueueName: `\${self:custom.queuePrefix}-work-${p.key}-dlq`,
              SqsManagedSseEnabled: true,
              MessageRetentionPeriod: 1209600,
            },
          },
        ],
        [
          `Work${p.logical}DlqAlarm`,
          {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              AlarmName: `\${self:custom.queuePrefix}-work-${p.key}-dlq-not-empty`,
              AlarmDescription: `${p.displayName} work chunks failed repeatedly and were parked in their DLQ`,
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateNumberOfMessagesVisible',
              Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq(p), 'QueueName'] } }],
              Statistic: 'Maximum',
              Period: 300,
              EvaluationPeriods: 1,
              Threshold: 0,
              ComparisonOperator: 'GreaterThanThreshold',
              TreatMissingData: 'notBreaching',
              AlarmActions: [{ Ref: 'AlarmTopic' }],
              OKActions: [{ Ref: 'AlarmTopic' }],
            },
          },
        ],
      ]),
    ),
  /** The worker's event sources: one per work queue, each capped at its provider's concurrency. */
  workerEvents: () =>
    providers.map((p) => ({
      sqs: {
        arn: { 'Fn::GetAtt': [queue(p), 'Arn'] },
        batchSize: 1,
        functionResponseType: 'ReportBatchItemFailures',
        maximumConcurrency: concurrency(p),
      },
    })),
  /** `{"<key>": "<queue url>", …}` for MP_WORK_QUEUE_URLS. */
  workQueueUrls: () => ({
    'Fn::Join': ['', ['{', ...providers.flatMap((p, i) => [`${i ? ',' : ''}"${p.key}":"`, { Ref: queue(p) }, '"']), '}']],
  }),
  /** `{"<key>": <max concurrency>, …}` for MP_WORKER_CONCURRENCY. */
  workerConcurrency: () => `{${providers.map((p) => `"${p.key}":${concurrency(p)}`).join(',')}}`,
  /** The resources as a fragment of serverless.yml `resources` (which merges its list of fragments). */
  resourcesFragment: () => ({ Resources: module.exports.resources() }),
  /** Where planning functions send, and where the worker hands work on: the failures queue and every work queue. */
  dispatchQueueArns: () => [{ 'Fn::GetAtt': ['FailuresQueue', 'Arn'] }, ...module.exports.workQueueArns()],
  /** Every work queue's ARN. */
  workQueueArns: () => providers.map((p) => ({ 'Fn::GetAtt': [queue(p), 'Arn'] })),
  /** Every work queue's URL (queue policies). */
  workQueueRefs: () => providers.map((p) => ({ Ref: queue(p) })),
  /**
   * The functions that call providers may assume exactly the roles the stage's accounts file names (`roleArn`,
   * AWS DMS accounts), read at package time from the file that is bundled with them; a stage that names none gets
   * an explicit deny, so no role can be assumed by adding a policy elsewhere by mistake.
   */
  assumeRoleStatement: async ({ resolveVariable }) => {
    const file = await resolveVariable('self:custom.accountsFile');
    const { accounts } = JSON.parse(readFileSync(join(__dirname, '..', file), 'utf8'));
    const roles = [...new Set(accounts.flatMap((a) => (typeof a.roleArn === 'string' ? [a.roleArn] : [])))].sort();
    return roles.length > 0
      ? { Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: roles }
      : { Effect: 'Deny', Action: ['sts:AssumeRole'], Resource: '*' };
  },
};
