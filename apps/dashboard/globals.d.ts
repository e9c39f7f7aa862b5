// What the dashboard's modules find on the page besides themselves (type declarations only).

interface Window {
  /** Chart.js's UMD bundle, loaded by index.html before the modules (see charts.js). */
  Chart?: typeof import('chart.js').Chart;
}
