import { Injectable, Logger } from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import { FaultAction, Faults, NO_FAULTS, parseFaultSpec, takeFault, updateFaults } from './faults';

/**
 * Start-time faults: LIVEPEER_LOCAL_FAULTS, then `--faults failNext=2,...` on the command line
 * (applied after, so the command line wins for a key given in both).
 */
export function startFaultSpec(argv: string[], fromConfig: string): string {
  const specs = [fromConfig];
  argv.forEach((arg, i) => {
    if (arg === '--faults' && argv[i + 1] !== undefined) specs.push(argv[i + 1]);
    else if (arg.startsWith('--faults=')) specs.push(arg.slice('--faults='.length));
  });
  return specs.filter((s) => s.trim()).join(',');
}

/** The broadcaster's current faults: start options first, then the admin endpoint. */
@Injectable()
export class FaultsService {
  private readonly logger = new Logger('Faults');
  private faults: Faults;

  constructor(@InjectConfig(livepeerLocalConfig) config: ConfigOf<typeof livepeerLocalConfig>) {
    const spec = startFaultSpec(process.argv, config.faults);
    this.faults = updateFaults(NO_FAULTS, parseFaultSpec(spec));
    if (spec) this.logger.warn({ event: 'faults', faults: this.faults }, `starting with injected faults: ${spec}`);
  }

  get current(): Faults {
    return this.faults;
  }

  get unhealthy(): boolean {
    return this.faults.unhealthy;
  }

  update(update: Record<string, unknown>): Faults {
    this.faults = updateFaults(this.faults, update);
    this.logger.warn({ event: 'faults', faults: this.faults }, 'faults changed');
    return this.faults;
  }

  clear(): Faults {
    this.faults = { ...NO_FAULTS };
    this.logger.log({ event: 'faults', faults: this.faults }, 'faults cleared');
    return this.faults;
  }

  /** What to do with the push that just arrived (uses up one counted fault). */
  take(): FaultAction {
    const { action, faults } = takeFault(this.faults);
    this.faults = faults;
    return action;
  }
}
