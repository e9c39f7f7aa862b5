/**
 * CPU time and memory of processes as Linux's /proc reports them, for bench:fleet: a process tree
 * (the simulator with all its worker threads; the platform with its PGlite child) or a set of pids
 * (PostgreSQL backends). A process that exits while it is read counts as 0.
 */
import * as fs from 'node:fs';

/**
 * The process and all its descendants (the platform runs PGlite in a child process), but for the
 * subtree of `without`: the bench spawns its platform as its own child, which is not the simulator.
 */
function processTree(root: number, without?: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    if (p === without) return;
    out.push(p);
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(root);
  return out;
}

/** utime + stime of a process tree, seconds (Linux /proc; every thread, worker threads included). */
export function procCpuS(pid: number, without?: number): number {
  let s = 0;
  for (const p of processTree(pid, without)) {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      s += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // exited meanwhile
    }
  }
  return s;
}

export function procRssMb(pid: number, without?: number): number {
  let kb = 0;
  for (const p of processTree(pid, without)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += m ? Number(m[1]) : 0;
    } catch {
      // exited meanwhile
    }
  }
  return Math.round(kb / 1024);
}

/** Proportional set size (shared pages split among their users) of these processes, MB. */
export function procPssMb(pids: number[]): number {
  let kb = 0;
  for (const p of pids) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      kb += m ? Number(m[1]) : 0;
    } catch {
      // exited meanwhile
    }
  }
  return Math.round(kb / 1024);
}

/** utime + stime of these processes (no descendants), seconds; a pid gone meanwhile counts 0. */
export function pidsCpuS(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of pids) {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(p, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
