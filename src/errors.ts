/**
 * Typed errors. Helpers throw these; only `src/cli.ts` prints them and turns them into exit codes.
 * Every error a user can cause carries a hint (what to do) and, where there is one, the cause.
 */

export const ExitCode = {
  ok: 0,
  checksFailed: 1,
  usage: 2,
  prerequisite: 3,
  timeout: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface LabErrorOptions {
  /** What the user can do about it (printed as `Try: …`). */
  hint?: string;
  /** The underlying error (printed as `Caused by: …`). */
  cause?: unknown;
  /** Extra lines that explain the failure (diagnostics, tool stderr tail). Printed under the message. */
  details?: string[];
}

export class LabError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly details: string[];

  constructor(exitCode: ExitCode, message: string, options: LabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** Bad command line: unknown flag or command, bad flag value. Exit 2. */
export class UsageError extends LabError {
  constructor(message: string, options: LabErrorOptions = {}) {
    super(ExitCode.usage, message, options);
  }
}

/** Bad lab files (topology, kind config, manifests, pins). Exit 2. Nothing has been created. */
export class InputError extends LabError {
  constructor(message: string, options: LabErrorOptions = {}) {
    super(ExitCode.usage, message, options);
  }
}

/** A missing prerequisite, an external tool that failed, a download that failed or did not verify. Exit 3. */
export class PrerequisiteError extends LabError {
  constructor(message: string, options: LabErrorOptions = {}) {
    super(ExitCode.prerequisite, message, options);
  }
}

/** A wait ran past its deadline. Exit 4. */
export class TimeoutError extends LabError {
  constructor(message: string, options: LabErrorOptions = {}) {
    super(ExitCode.timeout, message, options);
  }
}

/** The user pressed Ctrl-C (SIGINT) or the process got SIGTERM. Exit 130. */
export class InterruptedError extends LabError {
  constructor(message: string, options: LabErrorOptions = {}) {
    super(ExitCode.interrupted, message, options);
  }
}

/** One or more checks failed (verify, doctor). The report has been printed already. Exit 1. */
export class ChecksFailedError extends LabError {
  constructor(message: string, options: LabErrorOptions = {}) {
    super(ExitCode.checksFailed, message, options);
  }
}

/** A step of a command failed for a reason that is neither bad input nor a prerequisite (exit 1). */
export class StepFailedError extends LabError {
  constructor(message: string, options: LabErrorOptions = {}) {
    super(ExitCode.checksFailed, message, options);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
