/**
 * Per-aggregate outbox sequence counters. Enqueueing takes the next number with one
 * `INSERT … ON CONFLICT DO UPDATE` on this row (whose row lock, held to commit, serialises
 * enqueuers of one aggregate exactly like the advisory lock it replaces), inside the same
 * statement as the outbox insert: one round trip instead of two.
 */
export const sql = `
CREATE TABLE outbox_sequences (
  aggregate_type text NOT NULL,
  aggregate_id text NOT NULL,
  seq integer NOT NULL,
  PRIMARY KEY (aggregate_type, aggregate_id)
);
INSERT INTO outbox_sequences (aggregate_type, aggregate_id, seq)
SELECT aggregate_type, aggregate_id, max(seq) FROM outbox GROUP BY aggregate_type, aggregate_id;
`;
