import { App } from 'aws-cdk-lib';
import { addNagChecks } from './nag.ts';
import { StockClubStack } from './stack.ts';

const app = new App();
new StockClubStack(app, 'StockClub', { description: 'StockClub: inventory and membership API for retail chains' });
addNagChecks(app);
app.synth();
