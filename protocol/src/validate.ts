import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/** One reason a value does not match its schema. `path` is a JSON pointer (`/readings/3/value`). */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: SchemaIssue[] };

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Check `value` against `schema` (compiled once per schema); never throws. */
export function validate<S extends TSchema>(schema: S, value: unknown, maxIssues = 20): ValidationResult<Static<S>> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  if (check.Check(value)) return { ok: true, value: value as Static<S> };
  const issues: SchemaIssue[] = [];
  for (const error of check.Errors(value)) {
    issues.push({ path: error.path || '/', message: error.message });
    if (issues.length >= maxIssues) break;
  }
  return { ok: false, issues };
}
