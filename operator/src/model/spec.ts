// Spec defaults the apiserver does not apply for us (it applies schema
// defaults, but objects built in memory, e.g. in tests, may lack them).
import type { KafkaConnect, Mode, Runtime } from '../api/v1alpha1/index.js';

export const resolvedMode = (kc: KafkaConnect): Mode => kc.spec.mode ?? 'distributed';
export const resolvedRuntime = (kc: KafkaConnect): Runtime => kc.spec.runtime ?? 'sluice';
export const resolvedReplicas = (kc: KafkaConnect): number => kc.spec.replicas ?? 1;
