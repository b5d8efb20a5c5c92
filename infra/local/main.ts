/**
 * `npm start`: the whole API on this machine. Flags: --empty (no demo data),
 * --data DIR (persist DynamoDB Local and the failure log), --port N /
 * --mqtt-port N (or PORT / MQTT_PORT).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCloud } from './cloud.ts';
import { DataDirInUse, JavaMissing } from './dynamodb.ts';
import { demoLocations } from './seed.ts';

const { values } = parseArgs({
  options: {
    empty: { type: 'boolean', default: false },
    data: { type: 'string' },
    port: { type: 'string' },
    'mqtt-port': { type: 'string' },
  },
});

const portFlag = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`--${flag} must be a port number, not ${value}`);
    process.exit(2);
  }
  return port;
};

try {
  const cloud = await startLocalCloud({
    port: portFlag('port', values.port),
    mqttPort: portFlag('mqtt-port', values['mqtt-port']),
    dataDir: values.data,
    empty: values.empty,
  });
  const gateLocation = demoLocations[0].locationId;
  console.log(`
StockClub is running locally.
  API        ${cloud.url}   (GET /health and GET /openapi.json need no token)
  MQTT       ${cloud.mqttUrl}   (gateways: username {locationId}/{gateId}, password: a gateway token)
  Console    ${cloud.url}/console/   (HQ and store console in a browser; sign in with a token below, or the local sign-in buttons)
  Live stock ${cloud.url.replace('http:', 'ws:')}/mqtt   (MQTT over WebSocket, password: an admin or store token; stockclub/live/levels/{locationId}, stockclub/live/gates/{locationId})
  Email      ${cloud.mailUrl}   (the SES v2 emulator: member email, sent through the real SES adapter)
  DynamoDB   ${cloud.dynamoEndpoint}   (${values.data ? `data in ${values.data}` : 'in memory, gone when this stops'})
  Data       ${values.empty ? 'none (--empty)' : `demo: ${demoLocations.map((l) => l.locationId).join(', ')}; SNEAKER-42, TEE-BLK-M, ...`}

  Tokens     npm run token -- --role admin
             npm run token -- --role store --location STORE-BERLIN
             npm run token -- --role gateway --location ${gateLocation} --gate DOCK-1
  Try        curl -H "authorization: Bearer $(npm run -s token -- --role admin)" ${cloud.url}/stock/SNEAKER-42

  Local-only endpoints (no token):
    GET    ${cloud.url}/_local/outbox[?to=...]   member messages: email (from the SES emulator), SMS and app push
    DELETE ${cloud.url}/_local/outbox
    GET    ${cloud.url}/_local/failures          stream records, queue messages, MQTT messages and job runs that failed for good
    DELETE ${cloud.url}/_local/failures${values.data ? `\n                                          (also in ${join(values.data, 'failures.jsonl')})` : ''}
    GET    ${cloud.url}/_local/jobs
    POST   ${cloud.url}/_local/jobs/{name}       run a scheduled job now
    POST   ${cloud.url}/_local/invoke/{function} run any function with an event (admin token): npm run invoke -- <function> <event.json>
    GET    ${cloud.url}/_local/clock
    POST   ${cloud.url}/_local/clock             {"at": ISO}: move the local clock forward, running the jobs that fall due

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
  if (error instanceof JavaMissing || error instanceof DataDirInUse) {
    console.error(error.message);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`A port is taken (${(error as Error).message}). Use --port / --mqtt-port, or PORT / MQTT_PORT.`);
  } else {
    console.error(error);
  }
  process.exit(1);
}
