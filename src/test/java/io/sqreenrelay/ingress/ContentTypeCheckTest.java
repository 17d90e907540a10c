package io.sqreenrelay.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentTypeCheckTest {

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/json; charset=utf-8", "Application/JSON",
            "application/json;charset=UTF-8", "application/vnd.sqreen+json", "application/problem+json; v=2",
            " application/json "})
    void jsonTypesAreAccepted(String type) {
        assertThat(ContentTypeCheck.isJson(type)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/xml", "json",
            "application/jsonp", "application/json-seq", "multipart/form-data; boundary=x", "", "*/*",
            "application/+jsonx", "text/html; a=application/json"})
    void otherTypesAreRefused(String type) {
        assertThat(ContentTypeCheck.isJson(type)).isFalse();
    }
}
