import { resourceNames } from '@lfusys/commons';
import type { GatewayConfig } from '../config.ts';

type StorageSettings = Pick<
  GatewayConfig,
  'STORAGE_ORIGIN' | 'AWS_ENDPOINT_URL' | 'AWS_ENDPOINT_URL_S3' | 'AWS_REGION' | 'RESOURCE_PREFIX'
>;

/**
 * The origin browsers PUT direct-transfer parts to, i.e. the host of the URLs sessions presigns with
 * the same AWS settings (commons/src/aws/clients.ts): with an endpoint (an emulator) the SDK signs
 * path-style URLs on that endpoint; in AWS it signs virtual-hosted URLs on the bucket's regional
 * host (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html). STORAGE_ORIGIN,
 * when set, wins: compose's browsers reach the emulator on another host than the containers do.
 */
export function storageOrigin(config: StorageSettings): string {
  if (config.STORAGE_ORIGIN) return config.STORAGE_ORIGIN;
  const endpoint = config.AWS_ENDPOINT_URL_S3 ?? config.AWS_ENDPOINT_URL;
  if (endpoint) return new URL(endpoint).origin;
  const bucket = resourceNames(config.RESOURCE_PREFIX).bucket;
  return `https://${bucket}.s3.${config.AWS_REGION}.amazonaws.com`;
}
