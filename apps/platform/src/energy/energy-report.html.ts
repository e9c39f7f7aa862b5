import type { EnergyFigures } from './energy-aggregate';
import type { EnergyReport, GroupRow, ModelVersionRow, WhatIfRow } from './energy-report.types';
import { esc, fmt, pairBars, splitBars, SplitBarRow, timeSeriesChart } from './energy-report.svg';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2329;margin:24px auto;max-width:1180px;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #dde3e8;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5b6670}.finding{padding:6px 10px;margin:4px 0;border-left:4px solid #2e9e5b;background:#f3faf5}
.finding.worse{border-color:#c9302c;background:#fdf1f0;font-weight:600}.finding.warn{border-color:#f0ad4e;background:#fff8ec}
.tw{overflow-x:auto;max-width:100%}table{border-collapse:collapse;margin:6px 0 12px;font-size:12.5px}th,td{border:1px solid #dde3e8;padding:3px 6px;text-align:right;vertical-align:top}
th{background:#f4f6f8;font-weight:600}td.k,th.k{text-align:left}tr.worse td{background:#fdf1f0}tr.cur td{background:#f3f7fd}td.worsecell{background:#fdf1f0;color:#a4231f}td.curcell{outline:2px solid #5b8def}
.chart{display:block;margin:8px 0 16px;background:#fff;border:1px solid #eef1f4}.chart .lbl{font-size:12px}.chart .worse{fill:#c9302c;font-weight:700}
.chart .val,.chart .mode{font-size:11px;fill:#4a555f}.chart .axis{stroke:#9aa5ae}.note{color:#5b6670;font-size:12.5px}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}ul{margin:4px 0 8px 18px;padding:0}code{background:#f4f6f8;padding:0 3px}
`;

const VERDICT: Record<string, string> = {
  'edge-better': 'edge better',
  'edge-worse': 'EDGE WORSE',
  'no-difference': 'same',
  'no-data': 'no data',
  'no-inference': 'no inference ran',
};
const days = (d: number | null) => (d === null ? '—' : d >= 365.25 ? `${fmt(d / 365.25)} y` : `${fmt(d)} d`);

function groupTable(
  rows: GroupRow[],
  keyHeader: string,
  extra?: (r: WhatIfRow) => string[],
  extraHeaders: string[] = [],
): string {
  if (rows.length === 0) return '<p class="note">No data for this view.</p>';
  const head = [
    keyHeader,
    'devices',
    'device-days',
    'edge J/day<br>radio',
    'compute',
    'sensing',
    'sleep',
    'total',
    'raw J/day<br>total',
    'raw ÷ edge',
    'edge saves %',
    'verdict',
    'radio share %<br>edge / raw',
    'bytes on air/day<br>edge / raw',
    'msgs up/day<br>edge / raw',
    'battery life<br>edge / raw',
    'µJ per inference<br>all / compute',
    'µJ per event',
    'OTA J<br>(estimate)',
    'raw bytes kept',
    ...extraHeaders,
  ];
  const body = rows.map((r) => {
    const f: EnergyFigures = r.figures;
    const w = r as WhatIfRow;
    const cls = f.verdict === 'edge-worse' ? 'worse' : w.devicesOnProfile ? 'cur' : '';
    const cells = [
      fmt(f.devices),
      fmt(f.deviceDays),
      fmt(f.edgeJoulesPerDay.radio),
      fmt(f.edgeJoulesPerDay.compute),
      fmt(f.edgeJoulesPerDay.sensing),
      fmt(f.edgeJoulesPerDay.sleep),
      `<b>${fmt(f.edgeJoulesPerDay.total)}</b>`,
      `<b>${fmt(f.rawJoulesPerDay.total)}</b>`,
      fmt(f.rawToEdgeRatio),
      fmt(f.edgeSavingPct),
      VERDICT[f.verdict]!,
      `${fmt(f.radioSharePct)} / ${fmt(f.rawRadioSharePct)}`,
      `${fmt(f.bytesOnAirPerDay.edge)} / ${fmt(f.bytesOnAirPerDay.raw)}`,
      `${fmt(f.messagesUpPerDay.edge)} / ${fmt(f.messagesUpPerDay.raw)}`,
      `${days(f.battery.edgeDays)} / ${days(f.battery.rawDays)}${f.battery.infeasible ? ` (${f.battery.infeasible} infeasible)` : ''}`,
      `${fmt(f.energyPerInferenceUj)} / ${fmt(f.inferenceComputePerInferenceUj)}`,
      fmt(f.energyPerEventUj),
      fmt(f.otaDownloadJ),
      fmt(f.rawPayloadBytesKept),
      ...(extra ? extra(w) : []),
    ];
    return `<tr class="${cls}"><td class="k">${esc(r.key)}${r.label && r.label !== r.key ? `<br><span class="note">${esc(r.label)}</span>` : ''}</td>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<div class="tw"><table><thead><tr>${head.map((h, i) => `<th${i === 0 ? ' class="k"' : ''}>${h}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>`;
}

/** Buckets with no observed time (only a boot's first snapshot) have no per-day figure: left out of the chart. */
function series(rows: GroupRow[], title: string): string {
  const pts = rows
    .filter((p) => p.figures.deviceDays > 0)
    .map((p) => ({
      t: p.key.slice(p.key.indexOf('@') + 1),
      edge: p.figures.edgeJoulesPerDay,
      rawTotal: p.figures.rawJoulesPerDay.total,
    }));
  return pts.length ? timeSeriesChart(pts, title) : '<p class="note">No observed time in any bucket.</p>';
}

/** Stream × target radio: edge / raw J per device-day and the ratio; red where edge is worse, ⚠ where LoRa duty cycle breaks. */
function streamRadioMatrix(rows: WhatIfRow[]): string {
  const streams = [...new Set(rows.map((w) => w.key.split('/')[0]!))];
  const radios = [...new Set(rows.map((w) => w.key.split('/')[1]!))];
  const at = (s: string, r: string) => rows.find((w) => w.key === `${s}/${r}`);
  const cell = (w: WhatIfRow | undefined) => {
    if (!w || w.figures.devices === 0) return '<td>—</td>';
    const f = w.figures;
    const dc =
      w.dutyCycle && (w.dutyCycle.edgeViolations || w.dutyCycle.rawViolations)
        ? ` <span title="EU868 duty cycle exceeded (edge ${w.dutyCycle.edgeViolations}, raw ${w.dutyCycle.rawViolations} devices)">⚠ duty cycle ${w.dutyCycle.edgeViolations}/${w.dutyCycle.rawViolations}</span>`
        : '';
    return `<td class="${f.verdict === 'edge-worse' ? 'worsecell' : ''}${w.devicesOnProfile ? ' curcell' : ''}">${fmt(f.edgeJoulesPerDay.total)} / ${fmt(f.rawJoulesPerDay.total)}<br><b>${fmt(f.rawToEdgeRatio)}×</b>${dc}</td>`;
  };
  return `<div class="tw"><table><thead><tr><th class="k">stream</th>${radios.map((r) => `<th>${esc(r)}</th>`).join('')}</tr></thead><tbody>${streams.map((s) => `<tr><td class="k">${esc(s)}</td>${radios.map((r) => cell(at(s, r))).join('')}</tr>`).join('')}</tbody></table></div>`;
}

const accuracyCell = (pct: number | null) => (pct === null ? 'no reports' : fmt(pct));

const splitRow = (r: GroupRow, label = r.key): SplitBarRow => ({
  label,
  edge: r.figures.edgeJoulesPerDay,
  raw: r.figures.rawJoulesPerDay,
  worse: r.figures.verdict === 'edge-worse',
});

function findingClass(s: string): string {
  if (/WORSE|not allowed/.test(s)) return 'finding worse';
  if (/fair use|infeasible|not achievable|No energy snapshots/.test(s)) return 'finding warn';
  return 'finding';
}

export function renderHtml(r: EnergyReport): string {
  const by = (g: string) => r.groups.filter((x) => x.groupBy === g);
  const f = r.fleet.figures;
  const devices = by('device');
  const shownDevices = devices.slice(0, 40);
  const hasData = f.devices > 0;
  const wiRadio = r.whatIf.radio.filter((w) => w.figures.devices > 0);
  const wiMcu = r.whatIf.mcu.filter((w) => w.figures.devices > 0);
  const filters = Object.entries(r.filters)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${esc(v)}`)
    .join(', ');
  const charts = hasData
    ? [
        '<h2>Energy split: edge vs raw streaming</h2><p class="note">J per device-day, split radio / compute / sensing / sleep. Each row is scaled to its own larger bar (groups differ by orders of magnitude); values are printed. Rows in red: edge inference costs more than streaming raw data.</p>',
        splitBars(
          [
            splitRow(r.fleet, 'fleet'),
            ...by('radioProfile').map((g) => splitRow(g, `radio ${g.key}`)),
            ...by('stream').map((g) => splitRow(g, `stream ${g.key}`)),
            ...by('mcuProfile').map((g) => splitRow(g, `MCU ${g.key}`)),
          ],
          'Energy split per group, J per device-day',
        ),
        "<h2>Battery life on the node's battery: edge vs raw</h2><p class=\"note\">Median over devices of each device's projection on its own battery, days (capped at the cell's shelf life).</p>",
        pairBars(
          [
            ...by('radioProfile').map((g) => ({
              label: `radio ${g.key}`,
              a: g.figures.battery.edgeDays,
              b: g.figures.battery.rawDays,
            })),
            ...shownDevices.map((g) => ({
              label: g.label ?? g.key,
              a: g.figures.battery.edgeDays,
              b: g.figures.battery.rawDays,
            })),
          ],
          'Battery life, days: edge vs raw streaming',
          'days',
          ['edge inference', 'raw streaming'],
          'battery',
        ),
        `<h2>Over time (${esc(r.filters.bucket)} buckets)</h2><p class="note">J per device-day in each bucket (an interval counts in the bucket where it ends); dashed: the raw-streaming total.</p>`,
        series(r.timeSeries, 'Fleet: edge energy split over time vs raw streaming'),
        r.timeSeriesByRadio.length > 1
          ? r.timeSeriesByRadio
              .map(
                (s) =>
                  `<h3>Radio ${esc(s.radio)}</h3>${series(s.rows, `Radio ${s.radio}: edge energy split over time vs raw streaming`)}`,
              )
              .join('\n')
          : '',
      ].join('\n')
    : '<p class="finding warn">No data: no energy snapshots match the range and filters, so there are no charts.</p>';
  const dq = r.dataQuality;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(r.title)}</title><style>${CSS}</style></head><body>
<h1>${esc(r.title)}</h1>
<p class="meta">Generated ${esc(r.generatedAt)} · filters: ${filters || 'none'} · ${fmt(f.devices)} devices, ${fmt(f.deviceDays)} device-days observed · units: J = joule, µJ = microjoule, per day = per device-day of observed (device virtual) time.</p>
<h2>Findings</h2>
${r.findings.map((s) => `<div class="${findingClass(s)}">${esc(s)}</div>`).join('\n')}
${charts}
<h2>Fleet and groups</h2>
<p class="note">Edge = what the nodes did; raw = the same nodes streaming every sample instead (definition below). Battery: median projection on each device's own battery. OTA J: estimated download energy of all the devices' OTA jobs (from delivered chunks; already inside the radio figures, 0 where no OTA job exists — the devices do not report OTA energy separately).</p>
${groupTable([r.fleet], 'fleet')}
<h3>Per radio profile</h3>${groupTable(by('radioProfile'), 'radio')}
<h3>Per sensor stream</h3>${groupTable(by('stream'), 'stream')}
<h3>Per MCU profile</h3>${groupTable(by('mcuProfile'), 'MCU')}
<h3>Per model version (active slot of the last status)</h3>${groupTable(by('modelVersion'), 'model')}
<details${devices.length <= 20 ? ' open' : ''}><summary>Per device (${devices.length})</summary>${groupTable(devices, 'device')}</details>
<details><summary>Per time bucket (${r.timeSeries.length})</summary>${groupTable(r.timeSeries, 'bucket start (UTC)')}</details>
<h2>What if: the same workload on other radios</h2>
<p class="note">The fleet's own counts (events, telemetry, raw samples, downlinks, boots, observed time) re-costed on each radio with the library's message, connect and keep-alive models; each device keeps its MCU. Highlighted rows: profiles devices use now. LoRaWAN rows check the EU868 1 % duty cycle (864 s/day) per device. Self-check: re-costed on their own radios from counts, the devices come out ${fmt(r.dataQuality.whatIfSelfCheck.edgeDiffPct)} % (edge) and ${fmt(r.dataQuality.whatIfSelfCheck.rawDiffPct)} % (raw) off their own ledgers (${r.dataQuality.whatIfSelfCheck.devices} devices; nominal payload sizes, one connect per boot).</p>
${
  wiRadio.length
    ? pairBars(
        wiRadio.map((w) => ({ label: w.key, a: w.figures.edgeJoulesPerDay.total, b: w.figures.rawJoulesPerDay.total })),
        'What-if radios: J per device-day, edge vs raw (log scale)',
        'J/day',
        ['edge inference', 'raw streaming'],
        'whatif-radio',
        true,
      )
    : ''
}
${groupTable(r.whatIf.radio, 'radio', (w) => [fmt(w.devicesExcluded), w.dutyCycle ? `${fmt(w.dutyCycle.maxEdgeAirtimeSPerDay)} / ${fmt(w.dutyCycle.maxRawAirtimeSPerDay)}` : '—', w.dutyCycle ? `${w.dutyCycle.edgeViolations} / ${w.dutyCycle.rawViolations}` : '—'], ['devices excluded', 'LoRa max airtime s/day<br>edge / raw', 'duty-cycle violations<br>edge / raw'])}
<h3>Per stream: edge / raw J per device-day and raw ÷ edge</h3>
<p class="note">Each stream's devices re-costed on each radio (outlined: a radio those devices use now; red: edge inference costs more than streaming; ⚠: LoRaWAN duty cycle exceeded, edge/raw devices).</p>
${r.whatIf.radioByStream.length ? streamRadioMatrix(r.whatIf.radioByStream) : '<p class="note">No data.</p>'}
<h2>What if: the same workload on other MCUs</h2>
<p class="note">MACs per inference derived from each device's inference energy and its MCU's µJ/MAC, re-costed at the target's; wake-ups and sleep floor scale with the target. Memory fit is not checked. Each device keeps its radio.</p>
${
  wiMcu.length
    ? pairBars(
        wiMcu.map((w) => ({ label: w.key, a: w.figures.edgeJoulesPerDay.total, b: w.figures.rawJoulesPerDay.total })),
        'What-if MCUs: J per device-day, edge vs raw (log scale)',
        'J/day',
        ['edge inference', 'raw streaming'],
        'whatif-mcu',
        true,
      )
    : ''
}
${groupTable(r.whatIf.mcu, 'MCU', (w) => [fmt(w.devicesExcluded)], ['devices excluded'])}
<h2>Model updates: energy per inference and accuracy before and after each rollout</h2>
<p class="note">From the inference events (device_events.energy_uj = the device's compute energy for that inference). Before = the rollout's devices running any other model; after = running the rolled-out model. Accuracy: from the same devices' accuracy reports (their ground-truth logs; in simulation, the dataset labels), with n = inferences checked; "no reports" where the devices sent none.</p>
${
  r.rollouts.length
    ? `<div class="tw"><table><thead><tr><th class="k">rollout</th><th class="k">model</th><th class="k">state</th><th>devices</th><th class="k">jobs</th><th>µJ per inference<br>before → after</th><th>change %</th><th>latency µs<br>before → after</th><th>events<br>before / after</th><th>accuracy %<br>before → after</th><th>accuracy n<br>before / after</th></tr></thead><tbody>${r.rollouts
        .map(
          (o) =>
            `<tr class="${(o.energyPerInferenceChangePct ?? 0) > 0 ? 'worse' : ''}"><td class="k">#${o.rolloutId} ${esc(o.name)}</td><td class="k">${esc(o.model)}</td><td class="k">${esc(o.state)}</td><td>${fmt(o.devices)}</td><td class="k">${esc(
              Object.entries(o.jobsByState)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || '—',
            )}</td><td>${fmt(o.before.meanEnergyPerInferenceUj)} → ${fmt(o.after.meanEnergyPerInferenceUj)}</td><td>${fmt(o.energyPerInferenceChangePct)}</td><td>${fmt(o.before.meanLatencyUs)} → ${fmt(o.after.meanLatencyUs)}</td><td>${fmt(o.before.events)} / ${fmt(o.after.events)}</td><td>${accuracyCell(o.accuracyBeforePct)} → ${accuracyCell(o.accuracyAfterPct)}</td><td>${fmt(o.accuracyBeforeInferences)} / ${fmt(o.accuracyAfterInferences)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p class="note">No rollouts have touched these devices yet: the table below groups events by model version only.</p>'
}
<h3>Energy per inference and on-device accuracy by model version</h3>
${r.modelVersions.length ? `<table><thead><tr><th class="k">model</th><th class="k">version</th><th>devices</th><th>events</th><th>µJ per inference</th><th>latency µs</th><th class="k">first event</th><th class="k">last event</th><th>accuracy %</th><th>accuracy n</th><th class="k">drift (no ground truth)</th></tr></thead><tbody>${r.modelVersions.map((m) => `<tr><td class="k">${esc(m.modelId ?? '(unresolved tag)')}</td><td class="k">${esc(m.modelVersion ?? '—')}</td><td>${fmt(m.devices)}</td><td>${fmt(m.events)}</td><td>${fmt(m.meanEnergyPerInferenceUj)}</td><td>${fmt(m.meanLatencyUs)}</td><td class="k">${esc(m.firstEventAt ?? '—')}</td><td class="k">${esc(m.lastEventAt ?? '—')}</td><td>${accuracyCell(m.accuracyPct)}</td><td>${fmt(m.accuracyInferences)}</td><td class="k">${driftCell(m.drift)}</td></tr>`).join('')}</tbody></table>` : '<p class="note">No inference events or accuracy reports in the range.</p>'}
<h2>Data quality</h2>
<ul><li>${dq.snapshots} snapshots → ${dq.intervals} intervals; ${dq.duplicates} duplicates ignored; ${dq.reboots} reboots (new bootId, counted from zero); ${dq.resetsWithoutNewBoot} counter drops without a new bootId (treated as restarts).</li>
<li>${dq.devicesInScope} devices match the filters; without snapshots in range: ${dq.devicesWithoutSnapshots.length ? esc(dq.devicesWithoutSnapshots.join(', ')) : 'none'}.</li>
<li>Unknown profiles: ${dq.unknownProfiles.length ? esc(dq.unknownProfiles.join(', ')) : 'none'}. Inference compute method per device: ${esc(
    Object.entries(dq.inferenceComputeMethods)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none',
  )}.</li></ul>
<h2>Definitions and assumptions</h2><ul>${r.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
<h3>Not yet available</h3><ul>${r.notAvailable.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
<h3>Units</h3><ul>${Object.entries(r.units)
    .map(([k, v]) => `<li><code>${esc(k)}</code>: ${esc(v)}</li>`)
    .join('')}</ul>
<h2>Validation against MLPerf Tiny</h2>
<p class="note">${esc(r.validation.description)} Goal: ±${r.validation.goal.latencyPct} % latency, ±${r.validation.goal.energyPct} % energy.</p>
<table><thead><tr><th class="k">set</th><th>latency rows</th><th>latency max |err| %</th><th>mean |err| %</th><th>energy rows</th><th>energy max |err| %</th><th>mean |err| %</th></tr></thead><tbody>${r.validation.summary.map((s) => `<tr><td class="k">${esc(s.role)}</td><td>${s.latencyN}</td><td>${fmt(s.latencyMaxAbsPct)}</td><td>${fmt(s.latencyMeanAbsPct)}</td><td>${s.energyN}</td><td>${s.energyN ? fmt(s.energyMaxAbsPct) : '—'}</td><td>${s.energyN ? fmt(s.energyMeanAbsPct) : '—'}</td></tr>`).join('')}</tbody></table>
<details><summary>Held-out validation rows (${r.validation.rows.length})</summary><table><thead><tr><th class="k">round</th><th class="k">board</th><th class="k">stack</th><th class="k">model</th><th>latency err %</th><th>energy err %</th><th class="k">source</th></tr></thead><tbody>${r.validation.rows.map((v) => `<tr><td class="k">${esc(v.round)}</td><td class="k">${esc(v.board)}</td><td class="k">${esc(v.stack)}</td><td class="k">${esc(v.model)}</td><td>${fmt(v.latencyErrorPct)}</td><td>${fmt(v.energyErrorPct)}</td><td class="k">${esc(v.source)}</td></tr>`).join('')}</tbody></table></details>
<h2>Sources</h2>
<p class="note">Every profile figure with its citation, as carried by @tinyfleet/energy (tags: [DS] datasheet, [MEAS] measurement, [DER] derived, [2nd] secondary, [ASSUME] assumption; keys from energy-sources.md §10).</p>
<details><summary>${r.sources.length} cited figures</summary><table><thead><tr><th class="k">profile</th><th class="k">figure</th><th class="k">source</th></tr></thead><tbody>${r.sources.map((s) => `<tr><td class="k">${esc(s.profile)}</td><td class="k">${esc(s.field)}</td><td class="k">${esc(s.source)}</td></tr>`).join('')}</tbody></table></details>
</body></html>
`;
}

/** The version's latest drift verdict and how many of its judged windows were drift. */
function driftCell(d: ModelVersionRow['drift']): string {
  if (!d) return '—';
  const psi = d.latestClassMixPsi === null ? '' : `, PSI ${d.latestClassMixPsi.toFixed(2)}`;
  return esc(`${d.latestVerdict}${psi} (${d.driftWindows} of ${d.judgedWindows} windows drift)`);
}
