/** Where a command's output goes: the CLI passes process streams, tests and library callers their own sinks. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars), false in logs and tests. */
  readonly interactive: boolean;
}
