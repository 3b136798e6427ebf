/** Report layer: tables (markdown, CSV, plain text), SVG charts and small statistics helpers. */
export { type Column, toCsv, toMarkdown, toPlainTable } from './table';
export {
  type FacetedLineChartOptions,
  type LineChartOptions,
  type LineSeries,
  type Point,
  type ScalingChartOptions,
  renderFacetedLineChart,
  renderLineChart,
  renderScalingChart,
} from './plot';
export { formatInt, formatPercent, mean, std } from './stats';
export { type ClassMetrics, type ClassificationMetrics, type LabelledMetrics, classificationMetrics, MAX_METRIC_CLASSES, withLabels } from './metrics';
