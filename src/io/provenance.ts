/**
 * One provenance record, written by every command that produces a result (solve, run, check,
 * compare, sweep): what made the numbers, so that a result file can be reproduced and a stale
 * one recognised. Model files are identified by the SHA-256 of their content, built-in models by
 * the gradflow version.
 */
import type { Model, Params } from '../models/types.js';
import type { ResolvedOptions, SolveStats } from '../solve/types.js';
import { definedFlags, type SolverFlags } from '../run/solver-flags.js';
import { packageInfo } from '../util/package-info.js';

/** What identifies a model's definition: two equal identities integrate the same system. */
export interface ModelIdentity {
  readonly id: string;
  /** Model files: the path read and the SHA-256 of its bytes; null for built-in models. */
  readonly file: { readonly path: string; readonly sha256: string } | null;
  /** The gradflow version (which defines the built-in models and every default). */
  readonly gradflow: string;
}

export function modelIdentity(model: Model): ModelIdentity {
  return { id: model.id, file: model.file ? { path: model.file.path, sha256: model.file.sha256 } : null, gradflow: packageInfo().version };
}

export interface ProvenanceInput {
  readonly command: string;
  readonly model: Model;
  readonly params: Params;
  readonly seed?: number | readonly number[];
  /** The user's solver flags (absent: the model's defaults). */
  readonly flags?: SolverFlags;
  /** The options the main integration actually ran with. */
  readonly solver?: ResolvedOptions | null;
  /** Every other command option (batch sizes, schedules, momentum, metrics, output folder …). */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly status: string;
  readonly message?: string;
  readonly stats?: SolveStats | null;
  readonly wallMs?: number;
}

export interface Provenance {
  readonly gradflow: string;
  readonly node: string;
  readonly date: string;
  readonly command: string;
  readonly model: ModelIdentity & { readonly title: string; readonly definition: Readonly<Record<string, unknown>> | null };
  readonly params: Params;
  readonly seed: number | readonly number[] | null;
  readonly solver_flags: SolverFlags;
  readonly solver: Readonly<Record<string, unknown>> | null;
  readonly options: Readonly<Record<string, unknown>>;
  readonly status: string;
  readonly message: string;
  readonly stats: SolveStats | null;
  readonly wall_ms: number | null;
}

/** Resolved solver options as data: the save grid summarised, no functions. */
export function solverRecord(o: ResolvedOptions): Record<string, unknown> {
  const { saveAt, ...rest } = o;
  return { ...rest, save_points: saveAt.length, save_first: saveAt[0] ?? null, save_last: saveAt[saveAt.length - 1] ?? null };
}

export function provenance(i: ProvenanceInput): Provenance {
  const definition = i.model.file?.definition ?? null;
  return {
    gradflow: packageInfo().version,
    node: process.version,
    date: new Date().toISOString(),
    command: i.command,
    model: { ...modelIdentity(i.model), title: i.model.title, definition },
    params: i.params,
    seed: i.seed ?? null,
    solver_flags: definedFlags(i.flags ?? {}),
    solver: i.solver ? solverRecord(i.solver) : null,
    options: i.options ?? {},
    status: i.status,
    message: i.message ?? '',
    stats: i.stats ?? null,
    wall_ms: i.wallMs ?? null,
  };
}
