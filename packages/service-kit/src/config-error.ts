import { FleetError } from '@fleet/errors';

/** Start-up stops with every configuration problem at once, not the first one (CONFIG_INVALID, exit 78). */
export class ConfigError extends FleetError {
  declare readonly code: 'CONFIG_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[], subject = 'configuration') {
    super('CONFIG_INVALID', `invalid ${subject}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}
