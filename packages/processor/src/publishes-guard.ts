import type { EventType } from '@fleet/contracts';
import type { ProcessedEvent } from './event-meta.ts';
import { PermanentError } from './failure-kind.ts';
import type { ScheduleContext } from './handler-context.ts';
import type { BatchInvocation, EventInvocation, Route } from './route.ts';
import type { Schedule } from './schedule.ts';

interface Declaration<DB, P extends EventType> {
  name: string;
  routes: Route<DB, P>[];
  publishes?: readonly P[] | undefined;
  schedules?: Schedule<DB, P>[] | undefined;
}

/**
 * The routes and schedules again, whose publish() refuses an event type the declaration does not
 * list: the compiler checks TypeScript callers, this checks the rest (JavaScript, casts). The error
 * is permanent: the event goes to the dead-letter topic at once, naming the missing declaration.
 */
export function refuseUndeclaredPublishes<DB, P extends EventType>(
  definition: Declaration<DB, P>,
): Pick<Declaration<DB, P>, 'routes' | 'schedules'> {
  const declared = new Set(definition.publishes?.map((e) => e.type));
  /** The type itself when declared. */
  const check = <E extends EventType | undefined>(type: E): E => {
    if (type && declared.has(type.type)) return type;
    throw new PermanentError(
      `processor ${definition.name} published ${type?.type ?? String(type)}, which its declaration's publishes does not list (${[...declared].join(', ') || 'none'}): add it there`,
    );
  };
  const routes = definition.routes.map((route): Route<DB, P> => {
    if (route.kind === 'each')
      return {
        ...route,
        handler: (event: ProcessedEvent<unknown>, ctx: EventInvocation<DB>) =>
          route.handler(event, {
            ...ctx,
            publish: async (type, data, o) => ctx.publish(check(type), data, o),
          }),
      };
    return {
      ...route,
      handler: (events: ProcessedEvent<unknown>[], ctx: BatchInvocation<DB>) =>
        route.handler(events, {
          ...ctx,
          publish: async (cause, type, data, o) => ctx.publish(cause, check(type), data, o),
        }),
    };
  });
  const schedules = definition.schedules?.map(
    (schedule): Schedule<DB, P> => ({
      ...schedule,
      run: (ctx) => {
        const publish = ctx.publish as (type: EventType, ...rest: unknown[]) => Promise<string>;
        const guarded = async (type: EventType, ...rest: unknown[]) => publish(check(type), ...rest);
        return schedule.run({ ...ctx, publish: guarded as ScheduleContext<DB, P>['publish'] });
      },
    }),
  );
  return schedules ? { routes, schedules } : { routes };
}
