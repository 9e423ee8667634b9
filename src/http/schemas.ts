/** Schemas shared by several route modules. */
import { Type } from '@fastify/type-provider-typebox';

export const Message = Type.Object({ message: Type.String() });
export const ErrorBody = Type.Object({
  detail: Type.String(),
  code: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** Standard error responses for a route's schema. */
export function errors(...codes: number[]) {
  return Object.fromEntries(codes.map((c) => [c, ErrorBody]));
}
