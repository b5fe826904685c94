// The IAM statements of the functions that run commands (custom.runnerStatements in serverless.yml), plus
// events:PutEvents on the stage's event bus when `eventBusName` is set — on that bus only, and no statement at all
// when it is empty (serverless.yml cannot add a list item conditionally, and CloudFormation's Fn::If is refused
// there by osls's schema).

/** The bus's ARN: a name is this account's and region's bus; an ARN is taken as it is (another account's bus). */
function busArn(bus) {
  if (bus.startsWith('arn:')) return bus;
  return { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${bus}` };
}

module.exports = {
  runnerStatements: async ({ resolveVariable }) => {
    const statements = await resolveVariable('self:custom.runnerStatements');
    const bus = await resolveVariable('param:eventBusName');
    if (!bus) return statements;
    return [...statements, { Effect: 'Allow', Action: ['events:PutEvents'], Resource: busArn(bus) }];
  },
};
