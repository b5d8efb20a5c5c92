/** The local cloud on the data directory given, with no demo data and no schedules; prints {"url","dynamoEndpoint"} once it serves. */
import { startLocalCloud } from '../../infra/local/cloud.ts';

const cloud = await startLocalCloud({ dataDir: process.argv[2], port: 0, mqttPort: 0, empty: true, schedules: false });
console.log(JSON.stringify({ url: cloud.url, dynamoEndpoint: cloud.dynamoEndpoint }));
