package io.github.mcpauthz.it.support;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.PageLoadStrategy;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumDriverLogLevel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real headless Chromium driven through Selenium: the machine's Debian {@code chromium} and
 * {@code chromium-driver} (paths overridable with {@code -Dchromium.binary} / {@code -Dchromedriver.binary}), a fresh
 * profile per instance, nothing downloaded (Selenium Manager is skipped because both paths are given).
 */
public final class Chromium implements AutoCloseable {

    public static final String BINARY = System.getProperty("chromium.binary", "/usr/bin/chromium");
    public static final String DRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final Path profile;

    /** Why Chromium cannot run here (for {@code Assumptions}), or null when it can. */
    public static String unavailable() {
        if (!Files.isExecutable(Path.of(BINARY))) {
            return "Chromium not found at " + BINARY + " (install the Debian packages chromium and chromium-driver)";
        }
        if (!Files.isExecutable(Path.of(DRIVER))) {
            return "chromedriver not found at " + DRIVER + " (install the Debian package chromium-driver)";
        }
        return null;
    }

    /** A browser whose viewport is {@code width} x {@code height} CSS pixels; {@code language} its Accept-Language. */
    public Chromium(int width, int height, String language) {
        try {
            profile = Files.createTempDirectory("it-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=" + width + "," + height,
                "--lang=" + language);
        options.setExperimentalOption("prefs", java.util.Map.of("intl.accept_languages", language));
        options.setPageLoadStrategy(PageLoadStrategy.NORMAL);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .withLogLevel(ChromiumDriverLogLevel.OFF)
                .build();
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            deleteProfile();
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        resizeViewport(width, height);
    }

    public ChromeDriver driver() {
        return driver;
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs an asynchronous script: it ends by calling its last argument with the result. */
    public Object asyncScript(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** Sets the window so that the page's viewport (window.innerWidth/innerHeight) is exactly this size. */
    public void resizeViewport(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        long innerWidth = ((Number) script("return window.innerWidth")).longValue();
        long innerHeight = ((Number) script("return window.innerHeight")).longValue();
        if (innerWidth != width || innerHeight != height) {
            driver.manage().window().setSize(new Dimension(
                    (int) (2L * width - innerWidth), (int) (2L * height - innerHeight)));
        }
    }

    /** A screenshot of the whole page (the viewport is stretched to the page's height for it, then restored). */
    public Path screenshot(Path file) {
        long width = ((Number) script("return window.innerWidth")).longValue();
        long height = ((Number) script("return window.innerHeight")).longValue();
        long pageHeight = ((Number) script("return Math.ceil(Math.max(document.documentElement.scrollHeight,"
                + " document.body ? document.body.scrollHeight : 0))")).longValue();
        try {
            if (pageHeight > height) {
                resizeViewport((int) width, (int) pageHeight);
            }
            File shot = driver.getScreenshotAs(OutputType.FILE);
            Files.createDirectories(file.getParent());
            Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (pageHeight > height) {
                resizeViewport((int) width, (int) height);
            }
        }
    }

    /** Where screenshots go: {@code it/target/screenshots/}. */
    public static Path screenshotDir() {
        return Path.of(System.getProperty("kc.work.dir", "target"), "screenshots");
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory; best effort
        }
    }
}
