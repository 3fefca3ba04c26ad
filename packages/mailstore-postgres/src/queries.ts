import type postgres from 'postgres';

/** What statements can be sent on: the pool, a transaction, a reserved connection. */
export type Queries = postgres.ISql;
