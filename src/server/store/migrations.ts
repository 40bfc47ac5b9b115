/**
 * Schema migrations, in code (no migration files to ship or locate at run time). They
 * are written with Kysely's schema builder so SQLite and PostgreSQL share them; the only
 * difference is how an auto-numbered id column is spelled.
 *
 * Never edit a migration that has shipped: add a new one with the next number.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** Which SQL engine the migrations run on. */
export type SqlDialectName = 'sqlite' | 'postgres';

function migrations(dialect: SqlDialectName): Record<string, Migration> {
  // SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (ids never reused); PostgreSQL: serial.
  const idType = dialect === 'sqlite' ? 'integer' : 'serial';
  const autoIncrement = dialect === 'sqlite';

  return {
    '0001_initial': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('meta')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('groups')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('api_key', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('site_settings')
          .addColumn('group_id', 'text', (c) =>
            c.notNull().references('groups.id').onDelete('cascade'),
          )
          .addColumn('site', 'text', (c) => c.notNull())
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('site_settings_pk', ['group_id', 'site'])
          .execute();

        await db.schema
          .createTable('agents')
          .addColumn('id', idType, (c) =>
            autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('group_id', 'text', (c) =>
            c.notNull().references('groups.id').onDelete('cascade'),
          )
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('partner_user_id', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text')
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('privileges', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        // SSO looks agents up by (group, partner user id): one agent per id, empty ids exempt.
        await db.schema
          .createIndex('agents_partner_user_id')
          .on('agents')
          .columns(['group_id', 'partner_user_id'])
          .unique()
          .where(sql.ref('partner_user_id'), '<>', '')
          .execute();

        await db.schema
          .createTable('web_sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('agent_id', 'integer', (c) =>
            c.notNull().references('agents.id').onDelete('cascade'),
          )
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('web_sessions_expires_at')
          .on('web_sessions')
          .column('expires_at')
          .execute();

        // No foreign keys here: the audit log outlives the agents and sessions it names.
        await db.schema
          .createTable('audit_log')
          .addColumn('id', idType, (c) =>
            autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('group_id', 'text', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text')
          .addColumn('session_key', 'text')
          .addColumn('agent_id', 'integer')
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('audit_log_group_at')
          .on('audit_log')
          .columns(['group_id', 'at'])
          .execute();
        await db.schema
          .createIndex('audit_log_agent_at')
          .on('audit_log')
          .columns(['agent_id', 'at'])
          .execute();
        await db.schema
          .createIndex('audit_log_key_at')
          .on('audit_log')
          .columns(['session_key', 'at'])
          .execute();
      },
    },

    // API keys are sealed at rest from here on (SqlStore.migrate seals the rows that this
    // migration leaves with a null hash); the keyed hash finds a group by its key.
    '0002_api_key_hash': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema.alterTable('groups').addColumn('api_key_hash', 'text').execute();
        await db.schema
          .createIndex('groups_api_key_hash')
          .on('groups')
          .column('api_key_hash')
          .unique()
          .execute();
      },
    },

    // Live sessions survive a server restart (SPEC.md [RS1]): identity and state, no frames.
    '0003_live_sessions': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('live_sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('node_id', 'text', (c) => c.notNull())
          .addColumn('group_id', 'text', (c) =>
            c.notNull().references('groups.id').onDelete('cascade'),
          )
          .addColumn('site', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('random_key', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('token_hash', 'text', (c) => c.notNull())
          .addColumn('visitor', 'text', (c) => c.notNull())
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('next_seq', 'bigint', (c) => c.notNull())
          .addColumn('ever_joined', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('live_sessions_node')
          .on('live_sessions')
          .column('node_id')
          .execute();
      },
    },
  };
}

/** The migrations for one engine, for Kysely's `Migrator`. */
export function createMigrationProvider(dialect: SqlDialectName): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
