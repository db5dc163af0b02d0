export interface ConfigProblem {
  variable: string;
  problem: string;
}

/** Every problem with the environment at once, each naming its variable (never echoing a value). */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(variable: string, problem: string);
  constructor(problems: ConfigProblem[]);
  constructor(variableOrProblems: string | ConfigProblem[], problem = '') {
    const problems = typeof variableOrProblems === 'string' ? [{ variable: variableOrProblems, problem }] : variableOrProblems;
    const lines = problems.map((p) => `${p.variable} ${p.problem}`);
    super(lines.length === 1 ? `Invalid configuration: ${lines[0]}` : `Invalid configuration (${lines.length} problems):\n  ${lines.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }

  /** The first variable named (for callers that report one). */
  get variable(): string {
    return this.problems[0]!.variable;
  }
}
