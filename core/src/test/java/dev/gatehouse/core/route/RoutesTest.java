package dev.gatehouse.core.route;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.gatehouse.core.config.ConfigError;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoutesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{ prefix = \"/\", upstream = demo }, { prefix = \"/\", upstream = demo }|duplicate route prefix '/'",
            "{ hosts = [a.example.com], prefix = \"/\", upstream = demo }, { hosts = [\"A.example.com\"], prefix = \"/\", upstream = demo }"
                    + "|gatehouse.routes[1].prefix: duplicate route: host 'a.example.com' with prefix '/' is routed already",
            "{ hosts = [], prefix = \"/\", upstream = demo }|an empty list matches no request",
            "{ hosts = \"a.example.com\", prefix = \"/\", upstream = demo }|expected a list of host names",
            "{ hosts = [\"a.example.com:80\"], prefix = \"/\", upstream = demo }|gatehouse.routes[0].hosts: 'a.example.com:80': a host is written without a port",
            "{ hosts = [a.example.com, A.EXAMPLE.COM], prefix = \"/\", upstream = demo }|'a.example.com' is listed twice",
            "{ host = [a.example.com], prefix = \"/\", upstream = demo }|did you mean 'hosts'"})
    void badRoutesFailWithTheirPosition(String routes, String message) {
        assertThatThrownBy(() -> Routes.from(ConfigFactory.parseString("routes = [" + routes + "]"), 1))
                .isInstanceOf(ConfigError.class).hasMessageContaining(message);
    }
}
