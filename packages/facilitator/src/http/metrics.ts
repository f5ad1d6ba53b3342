/** Label values of one sample. */
export type Labels = Record<string, string | number>

type Sample = { labels: Labels; value: number }

/** A monotonically increasing count per label set. */
export type Counter = { inc(labels?: Labels, by?: number): void }
/** Observations counted into buckets per label set. */
export type Histogram = { observe(labels: Labels, value: number): void }

/** A metric computed at scrape time. */
export type Collector = () => Promise<
  { name: string; help: string; type: 'gauge' | 'counter'; samples: Sample[] }[]
>

/** Counters, histograms and collectors, rendered in the Prometheus text format (0.0.4). */
export type MetricsRegistry = {
  counter(name: string, help: string): Counter
  histogram(name: string, help: string, buckets: readonly number[]): Histogram
  collect(collector: Collector): void
  render(): Promise<string>
}

function escapeLabel(value: string | number): string {
  return String(value).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
}

/** A small in-process metrics registry (no dependency), for `GET /metrics`. */
export function createMetricsRegistry(): MetricsRegistry {
  const counters = new Map<string, { help: string; samples: Map<string, Sample> }>()
  const histograms = new Map<
    string,
    {
      help: string
      buckets: readonly number[]
      series: Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>
    }
  >()
  const collectors: Collector[] = []

  return {
    counter(name, help) {
      const metric = counters.get(name) ?? { help, samples: new Map() }
      counters.set(name, metric)
      return {
        inc(labels = {}, by = 1) {
          const id = labelText(labels)
          const sample = metric.samples.get(id) ?? { labels, value: 0 }
          sample.value += by
          metric.samples.set(id, sample)
        },
      }
    },
    histogram(name, help, buckets) {
      const metric = histograms.get(name) ?? { help, buckets, series: new Map() }
      histograms.set(name, metric)
      return {
        observe(labels, value) {
          const id = labelText(labels)
          const series = metric.series.get(id) ?? {
            labels,
            counts: buckets.map(() => 0),
            sum: 0,
            count: 0,
          }
          for (const [index, bound] of buckets.entries())
            if (value <= bound) series.counts[index] = (series.counts[index] ?? 0) + 1
          series.sum += value
          series.count++
          metric.series.set(id, series)
        },
      }
    },
    collect(collector) {
      collectors.push(collector)
    },
    async render() {
      const lines: string[] = []
      for (const [name, metric] of counters) {
        lines.push(`# HELP ${name} ${metric.help}`, `# TYPE ${name} counter`)
        for (const sample of metric.samples.values())
          lines.push(`${name}${labelText(sample.labels)} ${sample.value}`)
      }
      for (const [name, metric] of histograms) {
        lines.push(`# HELP ${name} ${metric.help}`, `# TYPE ${name} histogram`)
        for (const series of metric.series.values()) {
          for (const [index, bound] of metric.buckets.entries())
            lines.push(
              `${name}_bucket${labelText({ ...series.labels, le: bound })} ${series.counts[index] ?? 0}`,
            )
          lines.push(`${name}_bucket${labelText({ ...series.labels, le: '+Inf' })} ${series.count}`)
          lines.push(`${name}_sum${labelText(series.labels)} ${series.sum}`)
          lines.push(`${name}_count${labelText(series.labels)} ${series.count}`)
        }
      }
      for (const collector of collectors) {
        for (const metric of await collector()) {
          lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`)
          for (const sample of metric.samples)
            lines.push(`${metric.name}${labelText(sample.labels)} ${sample.value}`)
        }
      }
      return `${lines.join('\n')}\n`
    },
  }
}
