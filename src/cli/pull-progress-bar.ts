import cliProgress from 'cli-progress';
import { describeProgress } from '../pull/model-installer.js';
import type { PullProgress } from '../pull/pull-model.js';

const MB = 1e6;

/**
 * A progress bar on stderr for one pull: megabytes downloaded of the total, then the verify and
 * unpack phases. Off a terminal (CI logs, pipes) it prints a line per phase instead of redrawing.
 */
export class PullProgressBar {
  private readonly bar = new cliProgress.SingleBar(
    {
      format: '{id} [{bar}] {percentage}% | {value}/{total} MB | {phase}',
      formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? (value / MB).toFixed(1) : String(value)),
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  private started = false;
  private phase = '';

  constructor(private readonly id: string) {}

  update(progress: PullProgress): void {
    if (!process.stderr.isTTY) {
      if (progress.phase !== this.phase) process.stderr.write(`${this.id}: ${describeProgress(progress)}\n`);
      this.phase = progress.phase;
      return;
    }
    const phase = progress.phase === 'download' ? 'downloading' : describeProgress(progress);
    if (progress.phase === 'download') {
      const total = progress.totalBytes ?? progress.receivedBytes;
      if (!this.started) this.bar.start(total, progress.receivedBytes, { id: this.id, phase });
      this.started = true;
      this.bar.setTotal(total);
      this.bar.update(progress.receivedBytes, { phase });
    } else if (this.started) {
      this.bar.update({ phase });
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}
