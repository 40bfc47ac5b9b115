/**
 * The page capture of one session: the recorder and its masking rules (the group's
 * selectors plus the site's `getMaskingDescriptor`), started on the first welcome,
 * stopped while the visitor pauses sharing ([AP3]: no frames; a fresh keyframe on resume)
 * and re-masked when the agents change.
 */
import type { AgentsState } from '../../shared/protocol/control.js';
import type { MaskingRules } from '../capture/masking.js';
import { Recorder, type CaptureSink } from '../capture/recorder.js';
import type { Log } from './log.js';
import { askDescriptor, findDescriptorFunction, sameRules } from './masking-descriptor.js';

/** What the capture needs from its session. */
export interface CaptureHost {
  win: Window;
  log: Log;
  /** `GLANCE_COBROWSE` and the tag's `data-*` settings (for `getMaskingDescriptor`). */
  pageSettings: Record<string, unknown>;
  sink: CaptureSink;
  /** Nodes of ours the recorder must not capture. */
  ignored: readonly Node[];
  /** The session's current agents (the descriptor's `params.agents`). */
  agents(): AgentsState;
  /** Fires a Visitor API event (`error` `maskingerror`). */
  emit(name: string, payload: object): void;
}

/** One session's recorder, across pauses. */
export class SessionCapture {
  private current: Recorder | null = null;
  private selectors: readonly string[] = [];
  private rules: MaskingRules | null = null;
  /** Bumped by every start, stop and re-mask: a descriptor answer for an older run is dropped. */
  private run = 0;
  private running = false;
  private warnedUnmask = false;

  constructor(private readonly host: CaptureHost) {}

  /** The recorder while capturing, else null (paused, waiting for the descriptor, ended). */
  get recorder(): Recorder | null {
    return this.current;
  }

  /** Whether the page is masked whole (a descriptor asked for it, or masking failed). */
  get pageMasked(): boolean {
    return this.rules?.maskPage === true || this.current?.maskingFailed === true;
  }

  /** Starts capturing with the group's masked selectors (after asking the site's descriptor). */
  start(selectors: readonly string[]): void {
    this.selectors = selectors;
    this.running = true;
    const run = ++this.run;
    void this.masking().then((rules) => {
      if (run !== this.run || !this.running) return;
      this.rules = rules;
      const recorder = (this.current = new Recorder({
        document: this.host.win.document,
        masking: rules,
        sink: this.host.sink,
        report: (error) => this.host.log.warn('capture error', error),
      }));
      for (const node of this.host.ignored) recorder.ignore(node);
      recorder.start().catch((error: unknown) => this.host.log.warn('capture error', error));
      this.reportInvalidSelectors(recorder);
    });
  }

  /** Stops capturing (pause, or the session is over); `start` again takes a new keyframe. */
  stop(): void {
    this.running = false;
    this.run++;
    this.current?.stop();
    this.current = null;
  }

  /** The server asked for a keyframe ([FR5], [LG2]). */
  takeKeyframe(): void {
    void this.current?.takeKeyframe();
  }

  /**
   * New masking inputs: the group's selectors after a reconnect, or the agents (the
   * descriptor is asked again). A change of rules re-masks with a fresh keyframe.
   */
  update(selectors: readonly string[] = this.selectors): void {
    this.selectors = selectors;
    if (!this.running || !this.current) return;
    const run = ++this.run;
    void this.masking().then((rules) => {
      const recorder = this.current;
      if (run !== this.run || !recorder || (this.rules && sameRules(this.rules, rules))) return;
      this.rules = rules;
      recorder.setMasking(rules).catch((error: unknown) => this.host.log.warn('capture error', error));
      this.reportInvalidSelectors(recorder);
    });
  }

  /** The rules in force: the group's selectors and the descriptor's answer; the whole page when it fails. */
  private async masking(): Promise<MaskingRules> {
    const fn = findDescriptorFunction(this.host.win, this.host.pageSettings);
    if (!fn) return { selectors: this.selectors };
    const result = await askDescriptor(fn, this.host.agents(), this.selectors);
    if (!result.ok) {
      this.host.emit('error', { code: 'maskingerror', msg: `getMaskingDescriptor failed (${result.reason}): the whole page is masked` });
      return { selectors: this.selectors, maskPage: true };
    }
    if (result.unmasked && !this.warnedUnmask) {
      this.warnedUnmask = true;
      this.host.log.warn('getMaskingDescriptor: unmaskedelements is not supported yet; those elements stay masked');
    }
    return result.rules;
  }

  /** [MK6] a selector that does not parse masks the whole page and is reported (once per rule set). */
  private reportInvalidSelectors(recorder: Recorder): void {
    if (!recorder.maskingFailed) return;
    this.host.emit('error', { code: 'maskingerror', msg: 'a masking selector is invalid: the whole page is masked' });
  }
}
