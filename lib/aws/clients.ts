import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';

// Every SDK package is loaded with import() on first use, never by a static import: esbuild hoists a static import
// of an external package to the top of the bundle, even from a module it evaluates lazily, and loading one SDK
// client costs ~40–50 ms of cold start. So a function pays only for the SDK packages it uses, when it uses them.
type SqsSdk = typeof import('@aws-sdk/client-sqs');
export type DocumentSdk = typeof import('@aws-sdk/lib-dynamodb');

let sqsSdkLoaded: Promise<SqsSdk> | undefined;
let documentSdkLoaded: Promise<DocumentSdk> | undefined;

/** The SQS SDK module (its command classes), loaded once. */
export function sqsSdk(): Promise<SqsSdk> {
  sqsSdkLoaded ??= retryable(import('@aws-sdk/client-sqs'), () => {
    sqsSdkLoaded = undefined;
  });
  return sqsSdkLoaded;
}

/** The DynamoDB document client module, loaded once. */
export function documentSdk(): Promise<DocumentSdk> {
  documentSdkLoaded ??= retryable(import('@aws-sdk/lib-dynamodb'), () => {
    documentSdkLoaded = undefined;
  });
  return documentSdkLoaded;
}

// One client of each kind per container, made on first use.
let sqs: Promise<SQSClient> | undefined;
let secretsManager: Promise<SecretsManagerClient> | undefined;
let dynamoDb: Promise<DynamoDBClient> | undefined;

export function sqsClient(): Promise<SQSClient> {
  sqs ??= retryable(
    sqsSdk().then((sdk) => new sdk.SQSClient({})),
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

/** A module or client that could not be made is made again on the next call rather than remembered as a failure. */
function retryable<T>(made: Promise<T>, forget: () => void): Promise<T> {
  made.catch(forget);
  return made;
}
