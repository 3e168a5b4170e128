/**
 * Histogram buckets, in seconds. Each set spans what its measurement really takes, finest where the
 * answers cluster, up to where the caller gives up (a bucket past that would never fill).
 */

/** A bank's answer: a few ms on a leased line, seconds when the bank is slow, 30 s at the longest timeout. */
export const ROUND_TRIP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30];

/** From a job being ready to a worker starting it: ms when idle, minutes when a queue backs up. */
export const JOB_LATENCY_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** An API request: ms to read, up to the longest wait for a bank's answer a transfer request may ask for. */
export const API_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
