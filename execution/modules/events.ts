import { Event, EventAttribute } from "../../proto/index.js";

/**
 * Builds an Event from [key, value] pairs, in the order given (order is part of the result hash).
 * Built with `new` and assignments, not the generated `create`: `create` copies its argument
 * through Object.keys, and every tx makes several events that live until its block is indexed.
 */
export function makeEvent(type: string, attributes: readonly (readonly [string, string])[]): Event {
  const event = new Event();
  event.type = type;
  for (const [key, value] of attributes) {
    const attribute = new EventAttribute();
    attribute.key = key;
    attribute.value = value;
    event.attributes.push(attribute);
  }
  return event;
}
