/**
 * Creates (or brings up to date) every AWS resource for RESOURCE_PREFIX at AWS_ENDPOINT_URL:
 * the one-shot bootstrap of docker compose, usable against any emulator.
 */
import { bootstrapPrefix } from '@lfusys/commons/local-aws';

const endpoint = process.env.AWS_ENDPOINT_URL;
if (!endpoint) {
  console.error('AWS_ENDPOINT_URL must point at the emulator (real AWS is provisioned by Terraform)');
  process.exit(1);
}
const prefix = process.env.RESOURCE_PREFIX ?? 'lfusys-local';
const origins = (process.env.CORS_ORIGINS ?? 'http://localhost:8080').split(',').filter(Boolean);
const result = await bootstrapPrefix(prefix, endpoint, origins);
console.log(`resources ready for ${prefix}: queue ${result.queueUrl}`);
