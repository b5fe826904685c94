import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';

// Every SDK package is loaded with import() on first use, never by a static import: esbuild hoists a static import
// of an external package to the top of the bundle, even from a module it evaluates lazily, and loading one SDK
// package costs 48–65 ms of cold start (npm run bench, P4). So a function pays only for the SDK packages it uses,
// when it uses them.

/** A client, or how to get one when it is first needed (so whoever never needs it never loads its SDK). */
export type ClientSource<T> = T | (() => Promise<T>);

export async function resolveClient<T>(source: ClientSource<T>): Promise<T> {
  return typeof source === 'function' ? (source as () => Promise<T>)() : source;
}

/**
 * `make` run once, on the first call, and its promise shared by every later call; a failure is not remembered, so
 * the next call tries again.
 */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    if (!made) {
      const attempt = make();
      made = attempt;
      attempt.catch(() => {
        if (made === attempt) made = undefined;
      });
    }
    return made;
  };
}

export type DocumentSdk = typeof import('@aws-sdk/lib-dynamodb');

export const sqsSdk = once(() => import('@aws-sdk/client-sqs'));
export const secretsManagerSdk = once(() => import('@aws-sdk/client-secrets-manager'));
export const documentSdk = once(() => import('@aws-sdk/lib-dynamodb'));

// One client of each kind per container, made on first use.
export const sqsClient = once(async (): Promise<SQSClient> => new (await sqsSdk()).SQSClient({}));
export const secretsManagerClient = once(
  async (): Promise<SecretsManagerClient> => new (await secretsManagerSdk()).SecretsManagerClient({}),
);
export const dynamoDbClient = once(
  async (): Promise<DynamoDBClient> => new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({}),
);
export const eventBridgeClient = once(
  async (): Promise<EventBridgeClient> => new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient({}),
);
