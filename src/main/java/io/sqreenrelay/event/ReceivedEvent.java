package io.sqreenrelay.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One element of a webhook body: its parsed form and its exact source text, which is what targets that
 * forward the original event (the HTTP target) send on, unchanged.
 */
public record ReceivedEvent(JsonNode json, String source) {
}
