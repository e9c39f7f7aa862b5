// @ts-check
// Chart.js (loaded as the platform-served UMD bundle: window.Chart) with the dashboard's defaults.

/** @type {Record<string, string>} */
export const COLORS = {
  radio: '#c62828',
  compute: '#1565c0',
  sensing: '#ef6c00',
  sleep: '#607d8b',
  edge: '#2e7d32',
  raw: '#37474f',
  accent: '#6a1b9a',
};

let configured = false;
function chartLib() {
  const Chart = window.Chart;
  if (!Chart) throw new Error('Chart.js did not load');
  if (!configured) {
    configured = true;
    // No animation: live views redraw often, and screenshots must show the final state.
    Chart.defaults.animation = false;
    Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    Chart.defaults.color = '#263238';
    Chart.defaults.maintainAspectRatio = false;
  }
  return Chart;
}

/**
 * A chart in a sized box, with a text alternative on the canvas. Returns the Chart instance (null if the box left the page).
 * @param {HTMLElement} container
 * @param {string} label the text alternative
 * @param {import('chart.js').ChartConfiguration} config
 */
export function chart(container, label, config) {
  // A view's request can finish after the operator has moved on: draw nothing into a detached box.
  if (!container.isConnected) return null;
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  container.replaceChildren(canvas);
  const Chart = chartLib();
  return new Chart(canvas, config);
}
