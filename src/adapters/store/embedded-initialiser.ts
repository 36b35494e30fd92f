/**
 * Run as a process of its own by `initialiseEmbeddedStore`: creates the embedded database in the data folder
 * given as its argument, applies the migrations, prints the versions it applied as JSON, and exits.
 */
import { openEmbeddedDatabase } from './embedded-database.js';
import { migrate } from './migrator.js';

const dataDir = process.argv[2];
if (dataDir === undefined || dataDir === '') {
  process.stderr.write('usage: embedded-initialiser.js DATA_DIR\n');
  process.exit(2);
}
const db = await openEmbeddedDatabase(dataDir);
try {
  process.stdout.write(`${JSON.stringify(await migrate(db))}\n`);
} finally {
  await db.close();
}
