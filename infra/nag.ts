import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * cdk-nag's AwsSolutions pack as a synthesis-time validation: an
 * unacknowledged finding fails `cdk synth`. Each acknowledgement sits next to
 * the resource it concerns (infra/stack.ts, infra/constructs/), with its reason;
 * the pack runs on every stack of the app.
 */
export const addNagChecks = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
};
