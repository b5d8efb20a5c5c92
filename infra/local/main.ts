/**
 * `npm start`: the whole API on this machine. Flags: --empty (no demo data),
 * --data DIR (persist DynamoDB Local), --port N / --mqtt-port N (or PORT /
 * MQTT_PORT).
 */
import { parseArgs } from 'node:util';
import { startLocalCloud } from './cloud.ts';
import { JavaMissing } from './dynamodb.ts';

const { values } = parseArgs({
  options: {
    empty: { type: 'boolean', default: false },
    data: { type: 'string' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'mqtt-port': { type: 'string', default: process.env.MQTT_PORT ?? '1883' },
  },
});

try {
  const cloud = await startLocalCloud({
    port: Number(values.port),
    mqttPort: Number(values['mqtt-port']),
    dataDir: values.data,
    empty: values.empty,
  });
  console.log(`
StockClub is running locally.
  API        ${cloud.url}   (GET /health, GET /openapi.json)
  MQTT       ${cloud.mqttUrl}   (gateways: username {locationId}/{gateId}, password: a gateway token)
  DynamoDB   ${cloud.dynamoEndpoint}   (${values.data ? `data in ${values.data}` : 'in memory'})
  Data       ${values.empty ? 'none (--empty)' : 'demo: WH-CENTRAL, STORE-BERLIN, STORE-MUNICH; SNEAKER-42, TEE-BLK-M, ...'}

  Tokens     npm run token -- --role admin
             npm run token -- --role store --location STORE-BERLIN
             npm run token -- --role gateway --location WH-CENTRAL --gate DOCK-1
  Local      GET ${cloud.url}/_local/outbox   GET ${cloud.url}/_local/failures   POST ${cloud.url}/_local/jobs/{name}

Ctrl-C stops everything.`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping...');
    await cloud.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof JavaMissing) {
    console.error(error.message);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`A port is taken (${(error as Error).message}). Use --port / --mqtt-port, or PORT / MQTT_PORT.`);
  } else {
    console.error(error);
  }
  process.exit(1);
}
