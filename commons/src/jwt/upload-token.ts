/**
 * The upload token: a short-lived JWT the gateway signs for one upload and the uploads workers
 * verify through the gateway's JWKS. Explicit typing (RFC 8725 §3.11) and its own audience stop
 * an access token from passing as an upload token and vice versa.
 */
export const UPLOAD_TOKEN_TYPE = 'upload+jwt';
export const UPLOADS_AUDIENCE = 'lfusys-uploads';
/** The claim binding the token to one upload; `sub` is the owner. */
export const UPLOAD_ID_CLAIM = 'upl';
/** The login session (refresh-token family) a token was issued in; carried by access and upload tokens. */
export const SESSION_ID_CLAIM = 'sid';
