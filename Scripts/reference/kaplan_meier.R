#!/usr/bin/env Rscript
# Reference Kaplan-Meier estimates from R's survival package, for KaplanMeierCurveTests.
#
# Reads Tests/RegistryDomainTests/Fixtures/kaplan_meier_observations.csv (dataset, time, event; written
# by kaplan_meier.py) and writes Tests/RegistryDomainTests/Fixtures/kaplan_meier_survfit.csv: per dataset,
# survfit(Surv(time, event) ~ 1, conf.type = "log-log") at every time of the fit (quantity "survival": S,
# Greenwood standard error S * std.err, the 95% limits and the number at risk), after a row for time 0
# that R's fit does not have: S = 1, no interval (as R's NA where S = 1), everybody at risk;
# quantile(fit, 0.5) with its limits (quantity "median"), and summary(fit, times = t) at 182.625 and
# 365.25 days (quantity "rate"), where R refuses a t beyond the last follow-up time ("no points selected").
#
# An empty cell is R's NA or NaN: a median (or limit) not reached, a log-log limit where S is 1 or 0, a
# standard error where S is 0, a rate beyond follow-up.
#
# Rerun with: Rscript Scripts/reference/kaplan_meier.R   (R 4.2.2, survival 3.5-3: apt r-cran-survival)
suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
fixtures <- file.path(dirname(dirname(dirname(script))), "Tests/RegistryDomainTests/Fixtures")
observations <- read.csv(file.path(fixtures, "kaplan_meier_observations.csv"), stringsAsFactors = FALSE)

number <- function(value) ifelse(is.finite(value), sprintf("%.17g", value), "")
rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- c(...)

for (name in unique(observations$dataset)) {
    cohort <- observations[observations$dataset == name, ]
    fit <- survfit(Surv(time, event) ~ 1, data = cohort, conf.type = "log-log")
    add(name, "survival", "0", "1", "0", "", "", as.character(nrow(cohort)))
    for (i in seq_along(fit$time)) {
        add(name, "survival", number(fit$time[i]), number(fit$surv[i]), number(fit$surv[i] * fit$std.err[i]),
            number(fit$lower[i]), number(fit$upper[i]), as.character(fit$n.risk[i]))
    }
    median <- quantile(fit, 0.5)
    add(name, "median", "", number(median$quantile), "", number(median$lower), number(median$upper), "")
    for (landmark in c(182.625, 365.25)) {
        if (landmark > max(fit$time)) {
            add(name, "rate", number(landmark), "", "", "", "", "")
        } else {
            rate <- summary(fit, times = landmark)
            add(name, "rate", number(landmark), number(rate$surv), number(rate$std.err), number(rate$lower),
                number(rate$upper), "")
        }
    }
}

table <- do.call(rbind, rows)
colnames(table) <- c("dataset", "quantity", "time", "estimate", "standard_error", "lower", "upper", "at_risk")
write.csv(table, file.path(fixtures, "kaplan_meier_survfit.csv"), row.names = FALSE, quote = FALSE)
