import { Type } from '@fastify/type-provider-typebox';
import { SHA256_BASE64_PATTERN, SHA256_HEX_PATTERN } from '@lfusys/commons/core';
import { MAX_TOKEN_LENGTH } from '../domain/one-time-tokens.ts';
import { MAX_PASSWORD_LENGTH } from '../domain/password-policy.ts';
import { MAX_BIO_LENGTH, MAX_NAME_LENGTH } from '../domain/user.ts';

/**
 * Wire schemas. Objects are closed (`additionalProperties: false`) and the validator neither
 * strips nor coerces, so an unknown field or a number where a string belongs is a 400.
 * Length caps here are in UTF-16 units and generous; the domain enforces the exact rules.
 */
const closed = { additionalProperties: false } as const;

export const Name = Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH, pattern: '\\S' });
export const Bio = Type.String({ maxLength: MAX_BIO_LENGTH });
export const Email = Type.String({ minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH * 2 });

export const User = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    bio: Type.String(),
    emailVerified: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  closed,
);
export const UserResponse = Type.Object({ user: User });

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    requestId: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

export const RegisterBody = Type.Object({ name: Name, email: Email, password: Password }, closed);
export const LoginBody = Type.Object({ email: Email, password: Password }, closed);
export const ProfilePatch = Type.Object(
  { name: Type.Optional(Name), bio: Type.Optional(Bio) },
  { ...closed, minProperties: 1 },
);
export const PasswordChangeBody = Type.Object({ currentPassword: Password, newPassword: Password }, closed);
export const DeleteAccountBody = Type.Object({ password: Password }, closed);
export const CsrfResponse = Type.Object({ csrfToken: Type.String() });

/** One signed-in device (GET /auth/sessions); times are null for sessions begun before they were recorded. */
export const LoginSession = Type.Object(
  {
    id: Type.String(),
    createdAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    userAgent: Type.String(),
    current: Type.Boolean(),
  },
  closed,
);
export const LoginSessionsResponse = Type.Object({ sessions: Type.Array(LoginSession) }, closed);

/** Standard error responses to document on every route. */
export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  429: ErrorResponse,
} as const;

/** 204 responses carry no body. */
export const NoContent = Type.Null();

/** Server-generated ids (UUIDs); anything else cannot name a resource. */
export const ResourceId = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
export const IdParams = Type.Object({ id: ResourceId }, closed);
/** Hex SHA-256 of a whole file, as `sha256sum` prints it (any case; sessions stores it in lower case). */
const FileSha256 = Type.String({ pattern: SHA256_HEX_PATTERN });
/** Base64 SHA-256 of one part (44 characters with padding), as S3's x-amz-checksum-sha256 carries it. */
const PartSha256 = Type.String({ pattern: SHA256_BASE64_PATTERN });

/** How parts reach storage: through the uploads workers, or PUT by the client on presigned URLs. */
export const Transfer = Type.Union([Type.Literal('relay'), Type.Literal('direct')]);

export const UploadStatus = Type.Union([
  Type.Literal('uploading'),
  Type.Literal('assembling'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('expired'),
  Type.Literal('cancelled'),
]);

export const CreateUploadBody = Type.Object(
  {
    // The exact rules (length in characters, unsafe characters) live in sessions; this caps the wire.
    fileName: Type.String({ minLength: 1, maxLength: 1024 }),
    size: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    contentType: Type.Optional(
      Type.String({ maxLength: 255, pattern: '^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\\s*;[ -~]*)?$' }),
    ),
    /** The whole file's SHA-256, verified when the upload is assembled (a mismatch ends it `failed`). */
    sha256: Type.Optional(FileSha256),
    /**
     * Chosen by the client once per file and sent again on every retry of this request: a retry
     * then returns the upload the first attempt opened instead of opening a second one.
     */
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' })),
    /** Omitted: the server's default. A server without direct transfer refuses `direct` (409 `transfer_unavailable`). */
    transfer: Type.Optional(Transfer),
  },
  closed,
);

export const Upload = Type.Object(
  {
    uploadId: Type.String(),
    fileName: Type.String(),
    size: Type.Integer(),
    contentType: Type.String(),
    chunkSize: Type.Integer(),
    totalChunks: Type.Integer(),
    receivedChunks: Type.Integer(),
    receivedBytes: Type.Integer(),
    status: UploadStatus,
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    fileId: Type.Optional(Type.String()),
    failureReason: Type.Optional(Type.String()),
    /** Machine-readable reason of `failed`, e.g. `checksum_mismatch`. */
    failureCode: Type.Optional(Type.String()),
    transfer: Transfer,
  },
  closed,
);

/** Where and with what the browser sends chunks: `PUT {uploadUrl}/chunks/{index}` with the bearer token. */
const ChunkTarget = {
  uploadUrl: Type.String(),
  uploadToken: Type.String(),
  uploadTokenExpiresAt: Type.String({ format: 'date-time' }),
};

/** Relay answers carry the chunk target; direct answers do not (parts go to storage, see `POST /uploads/:id/parts`). */
export const CreateUploadResponse = Type.Object({
  uploadId: Type.String(),
  chunkSize: Type.Integer(),
  totalChunks: Type.Integer(),
  expiresAt: Type.String({ format: 'date-time' }),
  transfer: Transfer,
  uploadUrl: Type.Optional(ChunkTarget.uploadUrl),
  uploadToken: Type.Optional(ChunkTarget.uploadToken),
  uploadTokenExpiresAt: Type.Optional(ChunkTarget.uploadTokenExpiresAt),
  upload: Upload,
});

/** Part indexes: S3 allows 10,000 parts. */
const PartIndex = Type.Integer({ minimum: 0, maximum: 9999 });

export const SignPartsBody = Type.Object(
  {
    parts: Type.Array(
      Type.Object(
        {
          index: PartIndex,
          /** Base64 SHA-256 of the part's bytes: signed into its URL, so storage accepts only those bytes. */
          sha256: PartSha256,
          /** The exact length of this part (the chunk size, or the remainder for the last). */
          length: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
        },
        closed,
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  closed,
);

export const SignPartsResponse = Type.Object({
  parts: Type.Array(
    Type.Object({
      index: Type.Integer(),
      url: Type.String(),
      method: Type.Literal('PUT'),
      /** Send exactly these headers with the PUT (the signed checksum among them). */
      headers: Type.Record(Type.String(), Type.String()),
      expiresAt: Type.String({ format: 'date-time' }),
    }),
  ),
});

export const ConfirmPartsBody = Type.Object(
  { indexes: Type.Array(PartIndex, { minItems: 1, maxItems: 100, uniqueItems: true }) },
  closed,
);

export const ConfirmPartsResponse = Type.Object({
  received: Type.Integer(),
  totalChunks: Type.Integer(),
  /** True once every part is recorded: the file is being assembled. */
  complete: Type.Boolean(),
});

export const UploadPatchBody = Type.Object({ sha256: FileSha256 }, closed);
export const UploadResponse = Type.Object({ upload: Upload });

export const UploadDetailResponse = Type.Object({
  upload: Upload,
  /** Indexes the server has recorded, ascending: a resuming client sends only the others. */
  receivedIndexes: Type.Array(Type.Integer()),
  // A fresh token while chunks are still accepted (this is also how a client renews an expired one).
  uploadUrl: Type.Optional(ChunkTarget.uploadUrl),
  uploadToken: Type.Optional(ChunkTarget.uploadToken),
  uploadTokenExpiresAt: Type.Optional(ChunkTarget.uploadTokenExpiresAt),
});

/** Paging of `GET /uploads` and `GET /files`. Query strings are not coerced: digits only, 1..100 checked by sessions. */
const PageQuery = {
  limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
  cursor: Type.Optional(Type.String({ maxLength: 1024, pattern: '^[A-Za-z0-9_-]*$' })),
};

export const UploadListQuery = Type.Object(PageQuery, closed);
/** `wait`: seconds (0-20) to hold the answer while the upload's status stays what it was. */
export const UploadDetailQuery = Type.Object(
  { wait: Type.Optional(Type.String({ pattern: '^([0-9]|1[0-9]|20)$' })) },
  closed,
);
export const UploadListResponse = Type.Object({
  /** The web app polls this key. */
  uploads: Type.Array(Upload),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const File = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    size: Type.Integer(),
    contentType: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    /** Hex SHA-256 of the stored bytes; present only when the assembly verified the declared one. */
    sha256: Type.Optional(Type.String()),
  },
  closed,
);
export const FileResponse = Type.Object({ file: File });
export const FileListQuery = Type.Object(PageQuery, closed);
export const FileListResponse = Type.Object({
  files: Type.Array(File),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export const RenameFileBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 1024 }) }, closed);
export const DownloadResponse = Type.Object({
  url: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});

/** Error responses of routes that name a resource. */
export const resourceErrorResponses = { ...errorResponses, 404: ErrorResponse, 409: ErrorResponse } as const;

/** A mailed one-time token as pasted from a link (43 base64url characters when it is ours). */
const MailedToken = Type.String({ minLength: 1, maxLength: MAX_TOKEN_LENGTH });
export const VerifyEmailBody = Type.Object({ token: MailedToken }, closed);
export const ForgotPasswordBody = Type.Object({ email: Email }, closed);
export const ResetPasswordBody = Type.Object({ token: MailedToken, newPassword: Password }, closed);
/** 202 answers of the mail endpoints: the same body whatever happened behind them. */
export const Accepted = Type.Object({ message: Type.String() });
export const EmailChangeBody = Type.Object({ email: Email, password: Password }, closed);
