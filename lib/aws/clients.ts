import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';

// One client of each kind per container, and its SDK package loaded only when a function first needs it: loading
// an SDK client costs ~40–50 ms of cold start each, so a function pays only for the clients it uses.
let sqs: Promise<SQSClient> | undefined;
let secretsManager: Promise<SecretsManagerClient> | undefined;
let dynamoDb: Promise<DynamoDBClient> | undefined;

export function sqsClient(): Promise<SQSClient> {
  sqs ??= retryable(
    import('@aws-sdk/client-sqs').then((sdk) => new sdk.SQSClient({})),
    () => {
      sqs = undefined;
    },
  );
  return sqs;
}

export function secretsManagerClient(): Promise<SecretsManagerClient> {
  secretsManager ??= retryable(
    import('@aws-sdk/client-secrets-manager').then((sdk) => new sdk.SecretsManagerClient({})),
    () => {
      secretsManager = undefined;
    },
  );
  return secretsManager;
}

export function dynamoDbClient(): Promise<DynamoDBClient> {
  dynamoDb ??= retryable(
    import('@aws-sdk/client-dynamodb').then((sdk) => new sdk.DynamoDBClient({})),
    () => {
      dynamoDb = undefined;
    },
  );
  return dynamoDb;
}

/** A client that could not be made is made again on the next call rather than remembered as a failure. */
function retryable<T>(made: Promise<T>, forget: () => void): Promise<T> {
  made.catch(forget);
  return made;
}
