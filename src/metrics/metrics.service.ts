import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A reading taken when Prometheus scrapes (queue depth, pool state): no bookkeeping in between. */
export type GaugeSource = () => Record<string, number>;

/**
 * The service's Prometheus metrics, in one registry: HTTP latency by route, the face pipeline's
 * stage latencies, match outcomes, and gauges read at scrape time from the inference pool and the
 * database pool (registered by the modules that own them). Process metrics (CPU, memory, event
 * loop lag, GC) come from prom-client's defaults.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly http = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly stages = new Histogram({
    name: 'face_pipeline_stage_seconds',
    help: 'Face pipeline stages (decode, detect, embed) by model profile',
    labelNames: ['profile', 'stage'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly outcomes = new Counter({
    name: 'face_match_outcomes_total',
    help: 'Answers of recognise_user, identify and verify by outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly jobItems = new Counter({
    name: 'face_job_items_total',
    help: 'Attempts at job items by kind and outcome (completed, failed, retry, released, lost)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  /** Times `work` as one stage of `profile`'s pipeline. */
  async timeStage<T>(profile: string, stage: string, work: () => Promise<T>): Promise<T> {
    const end = this.stages.startTimer({ profile, stage });
    try {
      return await work();
    } finally {
      end();
    }
  }

  countOutcome(operation: string, outcome: string): void {
    this.outcomes.inc({ operation, outcome });
  }

  countJobItem(kind: string, outcome: string): void {
    this.jobItems.inc({ kind, outcome });
  }

  /** A gauge whose values (one per label value of `label`) are read from `source` at every scrape. */
  addGauge(name: string, help: string, label: string, source: GaugeSource): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        for (const [value, reading] of Object.entries(source())) this.set({ [label]: value }, reading);
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
