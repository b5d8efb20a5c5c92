import { App } from 'aws-cdk-lib';
import { addNagChecks } from './nag.ts';
import { createStockClub } from './stack.ts';

const app = new App();
createStockClub(app, 'StockClub');
addNagChecks(app);
app.synth();
