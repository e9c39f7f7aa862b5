/** Training progress on stderr: a live bar on a TTY, one line per epoch otherwise (CI logs). */
export interface ProgressSink {
  update(label: string, done: number, total: number, metrics: Record<string, number>): void;
  epochEnd(label: string, epoch: number, epochs: number, metrics: Record<string, number>): void;
}

export const silentProgress: ProgressSink = { update() {}, epochEnd() {} };

function fmt(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join('  ');
}

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  return {
    update(label, done, total, metrics) {
      if (!tty) return;
      const now = Date.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round((done / Math.max(1, total)) * width);
      stream.write(
        `\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${fmt(metrics)}`,
      );
    },
    epochEnd(label, epoch, epochs, metrics) {
      stream.write(`${tty ? '\r\x1b[K' : ''}${label} ${epoch}/${epochs}  ${fmt(metrics)}\n`);
    },
  };
}
