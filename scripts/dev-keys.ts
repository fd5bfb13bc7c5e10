/** Prints a fresh JWT_PRIVATE_KEYS value (one Ed25519 private JWK) for docker compose or any deployment. */
import { generateSigningJwk } from '@lfusys/commons/core';

console.log(JSON.stringify([await generateSigningJwk()]));
