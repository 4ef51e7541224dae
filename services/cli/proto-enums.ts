// The enum values of the generated proto code that the CLI's pure parts need, written as numbers
// and typed against the generated enums. Importing the enums themselves would load the generated
// module, and @grpc/grpc-js with it, for every `tdocker --help`; the unit tests check that each
// number here is the generated one.
import type {
  ContainerStatus,
  Mount_Type,
  RestartPolicy_Name,
  StdStream,
  WaitContainerRequest_Condition,
} from '../../proto/gen/tinydocker/v1/containers.js';

/** --restart names to tinydocker.v1.RestartPolicy.Name. */
export const restartPolicyName = {
  no: 0,
  always: 1,
  'unless-stopped': 2,
  'on-failure': 3,
} as const satisfies Record<string, RestartPolicy_Name>;

/** --mount type= values to tinydocker.v1.Mount.Type. */
export const mountType = {
  bind: 1,
  tmpfs: 2,
  volume: 3,
} as const satisfies Record<string, Mount_Type>;

/** tinydocker.v1.ContainerStatus to Docker's State.Status words. */
export const containerStatusWord: Readonly<Record<ContainerStatus, string>> = {
  0: 'unknown',
  1: 'created',
  2: 'running',
  3: 'paused',
  4: 'restarting',
  5: 'removing',
  6: 'exited',
  7: 'dead',
  [-1]: 'unknown',
};

export const stdStream = {
  stdin: 1,
  stdout: 2,
  stderr: 3,
} as const satisfies Record<string, StdStream>;

export const waitCondition = {
  'not-running': 0,
  'next-exit': 1,
  removed: 2,
} as const satisfies Record<string, WaitContainerRequest_Condition>;
