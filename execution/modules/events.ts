import { Event, EventAttribute } from "../../proto/index.js";

/** Builds an Event from [key, value] pairs, in the order given (order is part of the result hash). */
export function makeEvent(type: string, attributes: readonly (readonly [string, string])[]): Event {
  return Event.create({
    type,
    attributes: attributes.map(([key, value]) => EventAttribute.create({ key, value })),
  });
}
