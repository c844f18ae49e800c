/** The PostgreSQL server the tests use; each suite makes and drops a schema of its own there. */
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
