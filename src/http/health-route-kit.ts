import { Type } from 'typebox';

/** What the two health routes share: the answer's shape and public auth. */
export const StatusSchema = Type.Object({ status: Type.String() });
export const publicAuth = { auth: { kind: 'public' as const } };
