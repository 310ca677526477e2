/** The three database families Glance runs on. MariaDB and Galera are `mysql`. */
export type DialectName = 'sqlite' | 'postgresql' | 'mysql'
